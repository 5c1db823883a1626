"""Retrieval: lexical (jieba + BM25) and dense (sentence-transformers + faiss) channels, fused."""
