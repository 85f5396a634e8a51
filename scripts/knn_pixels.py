#!/usr/bin/python3
"""Cosine k-NN top-1 on normalised raw Fashion-MNIST pixels, the k-NN monitor rule of the trainer
(k = min(20, memory), similarity-weighted vote, labeled split as memory, test set as queries): a
scale for the k-NN figures of SimCLR pre-training. Usage: scripts/knn_pixels.py RUN/split.json...
Reads the IDX files of Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)."""
import gzip, json, sys
import numpy as np
d = "/usr/share/datasets/fashion-mnist/"
def images(f):
    with gzip.open(d + f) as g:
        return np.frombuffer(g.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float64)
def labels(f):
    with gzip.open(d + f) as g:
        return np.frombuffer(g.read(), np.uint8, offset=8).astype(np.int64)
xtr, ytr, xte, yte = images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"), images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")
for split in sys.argv[1:]:
    idx = np.array(json.load(open(split))["indices"])
    norm = lambda x: ((x / 255 - 0.2860) / 0.3530)
    m = norm(xtr[idx]); q = norm(xte)
    m /= np.linalg.norm(m, axis=1, keepdims=True); q /= np.linalg.norm(q, axis=1, keepdims=True)
    s = q @ m.T
    k = min(20, len(idx))
    top = np.argsort(-s, axis=1)[:, :k]
    votes = np.zeros((len(q), 10))
    for j in range(k):
        np.add.at(votes, (np.arange(len(q)), ytr[idx][top[:, j]]), s[np.arange(len(q)), top[:, j]])
    print(split, len(idx), "labels: raw-pixel cosine k-NN top-1 %.2f%%" % (100 * (votes.argmax(1) == yte).mean()))
