import torch
import torch.nn.functional as F

from symmim_mm.evaluation import knn_accuracy, knn_classify


def test_knn_votes_are_temperature_weighted():
    train = F.normalize(torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.]]), dim=1)
    labels = torch.tensor([0, 0, 1])
    query = F.normalize(torch.tensor([[0.2, 1.]]), dim=1)
    scores = knn_classify(train, labels, query, num_classes=2, k=3, temperature=0.1)
    sims = query @ train.T
    expected0 = (sims[0, :2] / 0.1).exp().sum()
    expected1 = (sims[0, 2] / 0.1).exp()
    torch.testing.assert_close(scores[0], torch.stack([expected0, expected1]))
    assert scores.argmax(1).item() == 1
    # k = 2 keeps only the two nearest: one of each class
    assert (knn_classify(train, labels, query, 2, k=2, temperature=0.1) > 0).sum() == 2


def test_knn_accuracy_separates_clusters():
    torch.manual_seed(0)
    centers = F.normalize(torch.randn(5, 16), dim=1)

    def sample(n):
        y = torch.randint(0, 5, (n, ))
        return F.normalize(centers[y] + 0.05 * torch.randn(n, 16), dim=1), y

    train, test = sample(200), sample(50)
    assert knn_accuracy(train, test, 5) == 100.
    shuffled = (train[0], train[1][torch.randperm(200)])
    assert knn_accuracy(shuffled, test, 5) < 60.
