slidebook notes slides/demo.md
