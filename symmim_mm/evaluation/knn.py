"""k-nearest-neighbour classification on frozen features (Wu et al. 2018; DINO protocol)."""
import copy
from typing import Dict, Iterable, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel


@torch.no_grad()
def extract_features(model: BaseModel, dataloader: Iterable) -> Tuple[torch.Tensor, torch.Tensor]:
    """L2-normalised features ``(N, C)`` and labels ``(N,)`` of a whole dataloader.

    ``model.extract_feat`` gives the features (for ``ImageClassifier``: the
    backbone's output, e.g. the CLS token, through the neck if any).
    """
    model.eval()
    feats, labels = [], []
    for data in dataloader:
        data = model.data_preprocessor(data, False)
        feat = model.extract_feat(data['inputs'])
        feat = feat[-1] if isinstance(feat, (tuple, list)) else feat
        feats.append(F.normalize(feat.flatten(1).float(), dim=1).cpu())
        labels.append(torch.cat([ds.gt_label for ds in data['data_samples']]).cpu())
    return torch.cat(feats), torch.cat(labels)


def knn_classify(train_feats: torch.Tensor,
                 train_labels: torch.Tensor,
                 test_feats: torch.Tensor,
                 num_classes: int,
                 k: int = 20,
                 temperature: float = 0.07,
                 chunk: int = 1024) -> torch.Tensor:
    """Class scores ``(N_test, num_classes)`` by temperature-weighted kNN votes.

    Each of the ``k`` nearest training features (cosine similarity ``s``; inputs
    must be L2-normalised) votes for its label with weight ``exp(s / temperature)``.
    """
    k = min(k, len(train_feats))
    scores = []
    for start in range(0, len(test_feats), chunk):
        sim = test_feats[start:start + chunk] @ train_feats.T  # (n, N_train)
        top_sim, top_idx = sim.topk(k, dim=1)  # (n, k)
        votes = F.one_hot(train_labels[top_idx], num_classes).float()  # (n, k, C)
        scores.append((votes * (top_sim / temperature).exp().unsqueeze(-1)).sum(1))
    return torch.cat(scores)


def knn_accuracy(train: Tuple[torch.Tensor, torch.Tensor],
                 test: Tuple[torch.Tensor, torch.Tensor],
                 num_classes: int,
                 k: int = 20,
                 temperature: float = 0.07) -> float:
    """Top-1 accuracy (%) of :func:`knn_classify` on ``test = (feats, labels)``."""
    scores = knn_classify(train[0], train[1], test[0], num_classes, k, temperature)
    return (scores.argmax(1) == test[1]).float().mean().item() * 100


def knn_evaluate(cfg, k: int = 20, temperature: float = 0.07) -> Dict[str, float]:
    """kNN top-1 of a classification config's frozen backbone (as its ``init_cfg``
    loads it): ``train_dataloader`` is the neighbour bank, ``test_dataloader`` the
    queries (both should use the test pipeline).

    Returns:
        dict: ``top1`` (%), ``bank`` and ``queries`` (sizes).
    """
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    from mmpretrain.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:  # as the Runner does
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmpretrain')):
        model = MODELS.build(model_cfg)
        model.init_weights()
        bank = extract_features(model, Runner.build_dataloader(cfg.train_dataloader))
        queries = extract_features(model, Runner.build_dataloader(cfg.test_dataloader))
    num_classes = int(max(bank[1].max(), queries[1].max())) + 1
    return dict(
        top1=knn_accuracy(bank, queries, num_classes, k, temperature),
        bank=len(bank[0]),
        queries=len(queries[0]))
