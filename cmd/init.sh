slidebook init my-talk
