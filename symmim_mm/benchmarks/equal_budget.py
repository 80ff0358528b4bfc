"""Pretrain several methods for the same epochs on the same data, then probe the encoders."""
import glob
import math
import os
import time
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from ..evaluation import knn_accuracy
from .methods import build_mask_transform, build_method, loss_of, make_samples

Split = Tuple[torch.Tensor, torch.Tensor]  # uint8 images (N, 3, H, W), labels (N,)


def digits(img_size: int = 32) -> Tuple[Split, Split]:
    """scikit-learn's digits: the fixed train / held-out split of the ``Digits`` dataset."""
    from mmpretrain.registry import DATASETS

    def split(name: str) -> Split:
        ds = DATASETS.build(dict(type='Digits', split=name, img_size=img_size))
        items = [ds.get_data_info(i) for i in range(len(ds))]
        imgs = torch.from_numpy(np.stack([it['img'] for it in items])).permute(0, 3, 1, 2)
        return imgs.contiguous(), torch.tensor([it['gt_label'] for it in items])

    return split('train'), split('test')


def image_folder(root: str, img_size: int = 32) -> Tuple[Split, Split]:
    """``root/train/<class>/*`` and ``root/val/<class>/*``, resized (short side) and
    centre-cropped to ``img_size``; classes are the sorted ``train`` sub-folders."""
    classes = sorted(d for d in os.listdir(os.path.join(root, 'train'))
                     if os.path.isdir(os.path.join(root, 'train', d)))
    if not classes:
        raise ValueError(f'{root}/train has no class folders')

    def split(name: str) -> Split:
        imgs, labels = [], []
        for label, cls in enumerate(classes):
            for path in sorted(glob.glob(os.path.join(root, name, cls, '*'))):
                img = cv2.imread(path, cv2.IMREAD_COLOR)
                if img is None:
                    raise ValueError(f'{path}: not a readable image')
                h, w = img.shape[:2]
                s = img_size / min(h, w)
                img = cv2.resize(img, (max(img_size, round(w * s)), max(img_size, round(h * s))),
                                 interpolation=cv2.INTER_AREA)
                top, left = (img.shape[0] - img_size) // 2, (img.shape[1] - img_size) // 2
                imgs.append(img[top:top + img_size, left:left + img_size])
                labels.append(label)
        if not imgs:
            raise ValueError(f'{root}/{name} holds no images of the classes {classes}')
        return (torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).contiguous(),
                torch.tensor(labels))

    return split('train'), split('val')


def random_resized_crop(imgs: torch.Tensor, scale=(0.67, 1.0), generator=None) -> torch.Tensor:
    """Per-image random crop (area ``scale``, aspect 3/4–4/3) resized back to size."""
    N, _, H, W = imgs.shape
    out = torch.empty(N, 3, H, W)
    for i in range(N):
        area = H * W * float(torch.empty(1).uniform_(*scale, generator=generator))
        ratio = math.exp(float(torch.empty(1).uniform_(math.log(3 / 4), math.log(4 / 3),
                                                         generator=generator)))
        h = min(H, round(math.sqrt(area / ratio)))
        w = min(W, round(math.sqrt(area * ratio)))
        top = int(torch.randint(0, H - h + 1, (1, ), generator=generator))
        left = int(torch.randint(0, W - w + 1, (1, ), generator=generator))
        crop = imgs[i:i + 1, :, top:top + h, left:left + w].float()
        out[i] = F.interpolate(crop, size=(H, W), mode='bicubic', align_corners=False)[0]
    return out.clamp_(0, 255)


@torch.no_grad()
def cls_features(model: torch.nn.Module, imgs: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """Final-normed CLS tokens of the unmasked encoder, L2-normalised ``(N, C)``."""
    backbone, out_type = model.backbone, model.backbone.out_type
    backbone.out_type = 'raw'
    model.eval()
    try:
        feats = []
        for i in range(0, len(imgs), batch):
            x = model.data_preprocessor(dict(inputs=imgs[i:i + batch].float(), data_samples=None),
                                        False)['inputs']
            feats.append(backbone(x, mask=None)[0][:, 0])
    finally:
        backbone.out_type = out_type
        model.train()
    return F.normalize(torch.cat(feats), dim=1)


def probe(model: torch.nn.Module, train: Split, val: Split) -> Dict[str, float]:
    """kNN (k = 20, T = 0.07) and linear-probe (logistic regression) top-1, in %."""
    f_train, f_val = cls_features(model, train[0]), cls_features(model, val[0])
    num_classes = int(train[1].max()) + 1
    knn = knn_accuracy((f_train, train[1]), (f_val, val[1]), num_classes)
    scaler = StandardScaler().fit(f_train.numpy())
    clf = LogisticRegression(max_iter=2000).fit(scaler.transform(f_train.numpy()),
                                                train[1].numpy())
    linear = 100. * clf.score(scaler.transform(f_val.numpy()), val[1].numpy())
    return dict(knn=knn, linear=linear)


def lr_at(it: int, total: int, warmup: int, base_lr: float) -> float:
    """Linear warm-up, then cosine to 1 % of ``base_lr``."""
    if it < warmup:
        return base_lr * (it + 1) / warmup
    t = (it - warmup) / max(1, total - warmup)
    return base_lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * t)))


def pretrain_and_probe(method: str, train: Split, val: Split, epochs: int, eval_epochs: List[int],
                       seed: int, img_size: int = 32, patch_size: int = 4, batch_size: int = 64,
                       base_lr: float = 1e-3, report: Optional[Callable[[dict], None]] = None
                       ) -> dict:
    """Pretrain ``method`` from scratch; probe it after each epoch in ``eval_epochs``
    (0 = before training). Returns the curve and the pretraining wall-clock."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    gen = torch.Generator().manual_seed(seed)
    mean, std = train[0].float().mean().item(), train[0].float().std().item()
    model = build_method(method, 'digits', img_size, patch_size, mean, std)
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=base_lr, betas=(0.9, 0.95),
                              weight_decay=0.05)
    masks = build_mask_transform(method, img_size, patch_size)
    steps_per_epoch = math.ceil(len(train[0]) / batch_size)
    total = epochs * steps_per_epoch
    MessageHub.get_current_instance().update_info('max_iters', total)
    curve, train_time, it = [], 0., 0
    if 0 in eval_epochs:
        curve.append(dict(epoch=0, loss=float('nan'), **probe(model, train, val)))
    for epoch in range(1, epochs + 1):
        start, losses = time.perf_counter(), []
        for idx in torch.randperm(len(train[0]), generator=gen).split(batch_size):
            for group in optim.param_groups:
                group['lr'] = lr_at(it, total, 3 * steps_per_epoch, base_lr)
            imgs = random_resized_crop(train[0][idx], generator=gen)
            loss, _ = loss_of(model, imgs, make_samples(masks, len(idx)))
            optim.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optim.step()
            losses.append(loss.item())
            it += 1
        train_time += time.perf_counter() - start
        if epoch in eval_epochs:
            point = dict(epoch=epoch, loss=float(np.mean(losses)), **probe(model, train, val))
            curve.append(point)
            if report:
                report(dict(point, method=method, seed=seed, train_time=train_time))
    return dict(method=method, seed=seed, curve=curve, train_time_s=train_time)


def random_init_floor(train: Split, val: Split, seed: int, img_size: int = 32,
                      patch_size: int = 4) -> Dict[str, float]:
    """Probe accuracy of a randomly initialised encoder of the same size."""
    torch.manual_seed(seed)
    mean, std = train[0].float().mean().item(), train[0].float().std().item()
    return probe(build_method('simmim', 'digits', img_size, patch_size, mean, std), train, val)
