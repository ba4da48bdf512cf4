slidebook check
