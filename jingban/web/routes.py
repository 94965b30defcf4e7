def install(app):
    return None
