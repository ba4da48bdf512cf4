slidebook expand slides/demo.md
