"""``uvicorn`` as the Junior image runs it: without torch, which the dev venv has for the export
tooling and which thinc (spaCy) imports when present (+260 MB of RSS the image never has).

    python bench/serve_as_image.py apps.junior.app:app --port 8000   (uvicorn's arguments)
"""

import sys

sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError

from uvicorn.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
