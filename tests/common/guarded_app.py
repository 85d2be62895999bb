"""A tiny app behind the shared request guards, served by uvicorn in test_http_guards."""

from typing import Annotated

from fastapi import FastAPI, File, UploadFile
from pydantic import BaseModel

from apps.common.http_guards import BodySizeLimit, install_validation_handler

LIMIT = 64 * 1024
TEXT_LIMIT = 16 * 1024
app = FastAPI()
app.add_middleware(BodySizeLimit, limit=lambda: LIMIT, paths={"/text": lambda: TEXT_LIMIT})
install_validation_handler(app)


class Text(BaseModel):
    text: str


@app.post("/upload")
async def upload(file: Annotated[UploadFile, File()]) -> dict[str, int]:
    return {"bytes": len(await file.read())}


@app.post("/text")
def text(body: Text) -> dict[str, int]:
    return {"chars": len(body.text)}
