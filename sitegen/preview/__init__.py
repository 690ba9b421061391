"""The preview behind `sitegen serve`: strict static serving, live reload, a batching watcher."""
