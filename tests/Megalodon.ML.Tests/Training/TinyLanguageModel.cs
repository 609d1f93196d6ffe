using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests.Training;

/// <summary>
/// A stand-in causal LM for trainer tests: embedding, a causal mix of the previous position, tanh, optional dropout,
/// linear head. Tokens (B, L) int64 → logits (B, L, V) float32. It can poison one training-mode forward with NaN.
/// </summary>
internal sealed class TinyLanguageModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed;
    private readonly Linear mix;
    private readonly Dropout drop;
    private readonly Linear head;

    public TinyLanguageModel(int vocab = 17, int dim = 8, double dropout = 0.0) : base(nameof(TinyLanguageModel))
    {
        embed = nn.Embedding(vocab, dim);
        mix = nn.Linear(2 * dim, dim);
        drop = nn.Dropout(dropout);
        head = nn.Linear(dim, vocab);
        RegisterComponents();
    }

    /// <summary>1-based index of the training-mode forward whose logits become NaN (null: never).</summary>
    public int? NaNOnTrainingForward { get; set; }

    public int TrainingForwards { get; private set; }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var h = embed.call(tokens);
        // Causal: position t sees itself and t-1 (zeros before the start).
        var previous = nn.functional.pad(h, new long[] { 0, 0, 1, 0 }).narrow(1, 0, h.shape[1]);
        var x = drop.call(mix.call(cat(new[] { h, previous }, 2)).tanh());
        var logits = head.call(x);
        if (training)
        {
            TrainingForwards++;
            if (NaNOnTrainingForward == TrainingForwards)
                logits = logits * float.NaN;
        }
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>A model with weights fixed by <paramref name="seed"/>.</summary>
    public static TinyLanguageModel Create(long seed, int vocab = 17, int dim = 8, double dropout = 0.0)
    {
        torch.manual_seed(seed);
        return new TinyLanguageModel(vocab, dim, dropout);
    }

    /// <summary>Copies of every parameter and buffer.</summary>
    public Dictionary<string, Tensor> Snapshot() =>
        state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
}
