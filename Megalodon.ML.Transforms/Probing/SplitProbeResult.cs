namespace Megalodon.ML.Transforms.Probing;

/// <summary>A probe's held-out quality on one train/test split, with the controls measured on the same split.</summary>
/// <param name="Accuracy">Held-out accuracy of the probe trained on the true labels.</param>
/// <param name="Auc">Its held-out ROC AUC.</param>
/// <param name="ShuffledAccuracy">Held-out accuracy (against the true labels) of a probe trained on shuffled training labels.</param>
/// <param name="ShuffledAuc">Its held-out AUC.</param>
/// <param name="MajorityAccuracy">Held-out accuracy of always answering the training split's majority class.</param>
/// <param name="TrainRows">Training rows.</param>
/// <param name="TestRows">Test rows.</param>
public readonly record struct SplitProbeResult(double Accuracy, double Auc, double ShuffledAccuracy, double ShuffledAuc, double MajorityAccuracy, int TrainRows, int TestRows);
