namespace Megalodon.ML.Encoder;

/// <summary>One validation check during tagger fine-tuning.</summary>
/// <param name="Step">Optimizer steps done.</param>
/// <param name="Epoch">Passes over the training data done (fractional).</param>
/// <param name="TrainingLoss">Mean training loss since the previous check.</param>
/// <param name="Score">The validation score (higher is better).</param>
/// <param name="IsBest">Whether this is the best score so far.</param>
public sealed record ValidationCheck(int Step, double Epoch, double TrainingLoss, double Score, bool IsBest);
