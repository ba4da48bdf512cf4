slidebook build
