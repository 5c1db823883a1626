"""Dense channel: sentence-transformers embeddings in faiss inner-product indexes.

Loading a model can fail in many ways (offline, wrong path, out of memory); every one of them
turns into DenseUnavailable so the assistant keeps answering lexically.
"""

import logging
import threading
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class DenseUnavailable(RuntimeError):
    pass


class Encoder:
    """A sentence-transformers model, loaded once, thread-safe to share."""

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self._model = None
        self._lock = threading.Lock()

    def load(self) -> None:
        if not self.model_name:
            raise DenseUnavailable("EMBEDDING_MODEL is not set")
        with self._lock:
            if self._model is not None:
                return
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.model_name, device="cpu")
            except Exception as error:  # any failure means: no dense channel, never a crash
                raise DenseUnavailable(f"cannot load {self.model_name}: {error}".splitlines()[0]) from error

    @property
    def dimension(self) -> int:
        self.load()
        return int(self._model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        self.load()
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class DenseIndex:
    def __init__(self, index) -> None:
        self.index = index

    @classmethod
    def build(cls, vectors: np.ndarray) -> "DenseIndex":
        import faiss

        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "DenseIndex":
        import faiss

        return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY))

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity to every passage, in passage order."""
        size = self.index.ntotal
        similarities, positions = self.index.search(vector.reshape(1, -1), size)
        result = np.zeros(size, dtype=np.float32)
        valid = positions[0] >= 0
        result[positions[0][valid]] = similarities[0][valid]
        return result
