cargo install --path .
