from .knn import extract_features, knn_accuracy, knn_classify, knn_evaluate

__all__ = ['extract_features', 'knn_accuracy', 'knn_classify', 'knn_evaluate']
