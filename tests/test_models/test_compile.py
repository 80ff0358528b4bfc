"""The default SymMIM training forward compiles as one graph (no graph break)."""
import torch
from mmengine.config import Config
from mmpretrain.registry import MODELS

from tests.conftest import ROOT
from tests.test_models.test_symmim import batch
from tests.test_robustness.runs import CONFIG


def test_default_training_forward_has_no_graph_break(message_hub):
    """The quickstart's model (visible half, MAE decoder, two views, the momentum
    encoder on its visible half, the EMA update, MoCo v3's contrast) fed by its data
    preprocessor, counted by ``torch._dynamo.explain`` on the CPU."""
    cfg = Config.fromfile(str(ROOT / CONFIG))
    cfg.model.backbone.arch.num_layers = 1
    model = MODELS.build(dict(cfg.model, data_preprocessor=cfg.data_preprocessor))
    assert model.online_drop_masked and model.momentum_drop_masked and model.two_views
    data = batch(model, views=2)
    assert data['masks']['num_visible'] == 32 and data['masks']['momentum_num_visible'] == 32
    eager = model.loss(**data)  # the first EMA update (reads max_iters from the hub)
    explained = torch._dynamo.explain(model.loss)(**data)
    assert explained.graph_break_count == 0, explained.break_reasons
    assert explained.graph_count == 1
    assert set(eager) == {'loss_rec', 'loss_con'}


def test_collated_masks_give_the_losses_of_the_data_samples(message_hub):
    """With or without the preprocessor's ``masks``, the same losses."""
    cfg = Config.fromfile(str(ROOT / CONFIG))
    cfg.model.backbone.arch.num_layers = 1
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model, data_preprocessor=cfg.data_preprocessor))
    model.momentum_encoder.update_parameters(model.momentum_encoder.module)  # past the copy
    data = batch(model, views=2)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    with_masks = model.loss(**data)
    model.load_state_dict(state)
    without = model.loss(data['inputs'], data['data_samples'])
    for key in with_masks:
        torch.testing.assert_close(with_masks[key], without[key])
