using Megalodon.ML.Model;

namespace Megalodon.Bench.Continual;

/// <summary>
/// Sizes, budgets and seeds of the continual pre-training experiment. Every row trains the same model shape; each
/// dataset's budget is <see cref="Steps"/> steps of <see cref="BatchSize"/> × <see cref="SequenceLength"/> tokens
/// (the union row gets both budgets), as the paper gives D0 and D1 equal budgets.
/// </summary>
internal sealed record ContinualExperimentSettings
{
    /// <summary>Tokens (bytes) per training window.</summary>
    public int SequenceLength { get; init; } = 256;
    /// <summary>Windows per optimizer step.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Steps of one dataset's budget.</summary>
    public long Steps { get; init; } = 500;
    /// <summary>Peak learning rate of every schedule; the minimum is 0.1 × this, as in the paper.</summary>
    public double MaxLearningRate { get; init; } = 3e-3;
    /// <summary>The first seed of initialisation and data order; every row is trained with <see cref="SeedCount"/> seeds from it.</summary>
    public int Seed { get; init; } = 1234;
    /// <summary>Seeds every row is trained with (the paper's claims are judged on their mean and spread).</summary>
    public int SeedCount { get; init; } = 3;
    /// <summary>The seeds, in the order their rows are trained.</summary>
    public IReadOnlyList<int> Seeds => Enumerable.Range(Seed, SeedCount).ToArray();
    /// <summary>Batches of held-out windows behind each final loss.</summary>
    public int EvalBatches { get; init; } = 32;
    /// <summary>Intra-op torch threads.</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Where rows, models and tables go.</summary>
    public required string OutDir { get; init; }

    /// <summary>Tokens in one dataset's budget.</summary>
    public long TokensPerBudget => Steps * BatchSize * SequenceLength;

    /// <summary>
    /// The model of every row: 4 layers of width 128 over the byte vocabulary, attention chunks of 128 (two per
    /// window, so the moving average carries context across chunks).
    /// </summary>
    public MegalodonConfig Model(int vocabSize) => MegalodonPresets.Tiny(vocabSize) with
    {
        NumLayers = 4, ModelDim = 128, ZDim = 64, ValueDim = 256, NumHeads = 2, FfnHiddenDim = 256,
        CemaNDim = 16, ChunkSize = 128, NormNumGroups = 16,
    };

    /// <summary>The settings a bench command line asks for (<c>--steps</c>, <c>--batch</c>, <c>--lengths</c>, <c>--seed</c>, <c>--seeds</c>, <c>--threads</c>, <c>--out</c>).</summary>
    public static ContinualExperimentSettings From(BenchOptions options)
    {
        var defaults = new ContinualExperimentSettings { OutDir = options.OutDir };
        return defaults with
        {
            Steps = options.Steps > 0 ? options.Steps : defaults.Steps,
            BatchSize = options.Batch > 0 ? options.Batch : defaults.BatchSize,
            SequenceLength = options.LengthsGiven ? options.Lengths[0] : defaults.SequenceLength,
            Seed = options.Seed,
            SeedCount = options.Seeds > 0 ? options.Seeds : defaults.SeedCount,
            Threads = options.Threads,
        };
    }
}
