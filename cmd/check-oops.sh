slidebook check slides/oops.md
