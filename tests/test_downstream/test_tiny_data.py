"""The tiny COCO / ADE20K sets are valid data in the real formats."""
import cv2
import numpy as np
from pycocotools.coco import COCO

from symmim_mm.testing import SHAPES, make_tiny_ade20k, make_tiny_coco


def test_tiny_coco_boxes_and_polygons_match_the_drawn_shapes(tmp_path):
    paths = make_tiny_coco(str(tmp_path), num_train=3, num_val=2, img_size=96)
    for split, num in (('train', 3), ('val', 2)):
        coco = COCO(paths[f'{split}_ann'])
        assert len(coco.getImgIds()) == num
        assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == list(SHAPES)
        for img_info in coco.loadImgs(coco.getImgIds()):
            img = cv2.imread(f'{paths[split + "_img"]}/{img_info["file_name"]}')
            assert img.shape == (96, 96, 3)
            anns = coco.loadAnns(coco.getAnnIds(imgIds=img_info['id']))
            assert 1 <= len(anns) <= 3
            for ann in anns:
                mask = coco.annToMask(ann)  # rasterised polygons
                x, y, w, h = ann['bbox']
                ys, xs = np.nonzero(mask)
                assert abs(xs.min() - x) <= 1 and abs(ys.min() - y) <= 1
                assert abs(xs.max() + 1 - (x + w)) <= 1 and abs(ys.max() + 1 - (y + h)) <= 1
                assert 0.85 * ann['area'] <= mask.sum() <= 1.05 * ann['area']
                # the object's pixels carry its class colour (JPEG-compressed)
                assert np.median(img[mask > 0][:, 0]) != np.median(img[mask == 0][:, 0])


def test_tiny_ade20k_layout_and_labels(tmp_path):
    paths = make_tiny_ade20k(str(tmp_path), num_train=2, num_val=1, img_size=48)
    assert sorted(p.name for p in (tmp_path / 'images/training').iterdir()) == \
        ['ADE_train_00000001.jpg', 'ADE_train_00000002.jpg']
    labels = cv2.imread(f'{paths["validation_ann"]}/ADE_val_00000001.png', cv2.IMREAD_UNCHANGED)
    assert labels.shape == (48, 48) and labels.dtype == np.uint8
    assert (labels[:2] == 0).all()  # "other", ignored after reduce_zero_label
    assert set(np.unique(labels)) - {0, 1} <= {2, 3, 4} and len(np.unique(labels)) >= 3
