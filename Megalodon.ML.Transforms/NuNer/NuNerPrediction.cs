namespace Megalodon.ML.Transforms.NuNer;

/// <summary>What the NER transformer predicts for one sentence.</summary>
/// <param name="Keys">One label key per word (1-based, as the label column's key type).</param>
/// <param name="Labels">The same labels by name.</param>
/// <param name="Entities">The entity spans as <c>type:start-end</c> over word indices, end exclusive.</param>
public sealed record NuNerPrediction(uint[] Keys, string[] Labels, string[] Entities);
