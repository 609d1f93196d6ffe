namespace Megalodon.ML.Generation;

/// <summary>Picks the next token from a logit vector: greedy, or temperature sampling with optional top-k and top-p filters.</summary>
public sealed class TokenSampler
{
    private readonly GenerationOptions _options;
    private readonly Random _random;

    /// <summary>Creates a sampler; its random stream is seeded from <see cref="GenerationOptions.Seed"/>.</summary>
    public TokenSampler(GenerationOptions options)
    {
        _options = options.Validate();
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>Chooses a token id from the logits of one position.</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("No logits to sample from.", nameof(logits));
        if (_options.Temperature == 0) return ArgMax(logits);

        // Candidates in decreasing logit order, cut by top-k.
        var order = Enumerable.Range(0, logits.Length).ToArray();
        var keys = logits.ToArray();
        Array.Sort(keys, order);
        Array.Reverse(order);
        int keep = _options.TopK > 0 ? Math.Min(_options.TopK, order.Length) : order.Length;

        double max = logits[order[0]];
        var weights = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++)
            total += weights[i] = Math.Exp((logits[order[i]] - max) / _options.Temperature);

        // Top-p: the shortest prefix whose probability mass reaches p.
        if (_options.TopP < 1)
        {
            double mass = 0;
            for (int i = 0; i < keep; i++)
            {
                mass += weights[i] / total;
                if (mass >= _options.TopP) { keep = i + 1; break; }
            }
            total = weights.Take(keep).Sum();
        }

        double draw = _random.NextDouble() * total;
        for (int i = 0; i < keep; i++)
        {
            draw -= weights[i];
            if (draw <= 0) return order[i];
        }
        return order[keep - 1];
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
}
