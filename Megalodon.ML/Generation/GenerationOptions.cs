namespace Megalodon.ML.Generation;

/// <summary>How to pick continuation tokens. Temperature 0 means greedy decoding.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; init; } = 256;
    /// <summary>Softmax temperature; 0 picks the most likely token every time (greedy).</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Sample only among the k most likely tokens; 0 turns the filter off.</summary>
    public int TopK { get; init; }
    /// <summary>Nucleus sampling: sample among the smallest set of tokens whose probability reaches p; 1 turns it off.</summary>
    public double TopP { get; init; } = 1.0;
    /// <summary>Generation ends before any of these strings would be emitted; they are not part of the output.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    /// <summary>Seed of the sampler; null draws one.</summary>
    public int? Seed { get; init; }

    /// <summary>Checks the values; throws <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    public GenerationOptions Validate()
    {
        if (MaxTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens cannot be negative.");
        if (!(Temperature >= 0) || double.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be 0 (greedy) or positive.");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK cannot be negative (0 disables it).");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1].");
        if (StopStrings.Any(string.IsNullOrEmpty)) throw new ArgumentException("Stop strings cannot be empty.", nameof(StopStrings));
        return this;
    }
}
