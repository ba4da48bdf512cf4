slidebook check --format json slides/oops.md
