namespace Megalodon.ML.Transforms.Continual;

/// <summary>The named validation sets measured at one step of a continual run.</summary>
/// <param name="Step">Steps completed (0: the base model, before training).</param>
/// <param name="Losses">Mean next-token loss (nats) per named set.</param>
/// <param name="Forgetting">Rise of the old set's loss since step 0; null without an old set.</param>
/// <param name="Adaptation">Fall of the new set's loss since step 0; null without a new set.</param>
public sealed record ContinualEvaluation(long Step, IReadOnlyDictionary<string, double> Losses, double? Forgetting, double? Adaptation);
