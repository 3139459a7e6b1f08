"""The local web page (``reviewer serve``): routes, sessions and templates over the pipeline and the renderers.

It owns requests, sessions and temporary files only; every judgment comes from :mod:`reviewer.pipeline`, every
feedback file from the renderers, every error line from :mod:`reviewer.errors`. Modules:

* :mod:`.session`: sessions, their temporary folders, idle expiry;
* :mod:`.staging`: uploads and pasted text, read as the CLI reads files; kinds guessed from names;
* :mod:`.rounds`: review rounds through :func:`reviewer.pipeline.review_folder` (round two compared with
  round one as a batch does), feedback written by the pipeline's writers;
* :mod:`.present` and :mod:`.view`: words and values for the page;
* :mod:`.security`: Host check, headers (CSP), CSRF;
* :mod:`.app`: the Starlette routes; :mod:`.server`: binding and uvicorn.

Starlette and uvicorn are imported by :mod:`.security`, :mod:`.app` and :mod:`.server` only, so importing this
package costs nothing until the command runs.
"""
