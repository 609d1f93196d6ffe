using System.Globalization;
using Megalodon.ML.Model;

namespace Megalodon.Bench.Probing;

/// <summary>
/// The fixed design of the probing experiment (docs/probing.md): the model shape, the checkpoint steps, the split
/// seeds, the steering layer and strengths, and the files each part writes, so that every part of a resumed run agrees.
/// </summary>
internal sealed class ProbingPlan
{
    /// <summary>Plans a run from the bench options.</summary>
    public ProbingPlan(BenchOptions options)
    {
        Options = options;
        Steps = options.Steps > 0 ? options.Steps : 6000;
        Batch = options.Batch > 0 ? options.Batch : 8;
        Sequence = options.LengthsGiven ? options.Lengths[0] : 256;
        CheckpointSteps = LogSpacedSteps(Steps, options.Checkpoints);
        Seeds = Enumerable.Range(1, options.Seeds > 0 ? options.Seeds : 3).ToArray();
        ProbeRows = options.ProbeRows > 0 ? options.ProbeRows : 1600;
    }

    /// <summary>The bench options.</summary>
    public BenchOptions Options { get; }

    /// <summary>Pretraining steps.</summary>
    public long Steps { get; }

    /// <summary>Sequences per step.</summary>
    public int Batch { get; }

    /// <summary>Bytes per sequence.</summary>
    public int Sequence { get; }

    /// <summary>Checkpointed (and probed) steps, step 0 and the midpoint included.</summary>
    public long[] CheckpointSteps { get; }

    /// <summary>Seeds of the grouped train/test splits (and of their shuffled-label controls).</summary>
    public int[] Seeds { get; }

    /// <summary>At most this many rows per probing set.</summary>
    public int ProbeRows { get; }

    /// <summary>The steering source: the checkpoint nearest the middle of pretraining, as the paper's ckpt_179 of 360.</summary>
    public long SourceStep => CheckpointSteps.MinBy(s => Math.Abs(s - Steps / 2));

    /// <summary>The layer steered: the middle of 12, as the paper's layer 16 of 32.</summary>
    public const int SteeredLayer = 6;

    /// <summary>Strengths α of the steering sweep.</summary>
    public static readonly double[] Strengths = [-4, -2, -1, 0, 1, 2, 4];

    /// <summary>The model: 12 layers of width 128, byte vocabulary.</summary>
    public static MegalodonConfig Shape(int vocabSize) => new()
    {
        NumLayers = 12, ModelDim = 128, ZDim = 32, ValueDim = 256, NumHeads = 1, FfnHiddenDim = 256,
        CemaNDim = 8, ChunkSize = 256, NormNumGroups = 16, SwiGlu = true, VocabSize = vocabSize,
    };

    /// <summary>The pretraining run folder (step checkpoints, config, tokenizer).</summary>
    public string RunFolder => Path.Combine(Options.OutDir, "run");

    /// <summary>Written when pretraining has reached its last step.</summary>
    public string PretrainedMarker => Path.Combine(Options.OutDir, "pretraining.done");

    /// <summary>The probe results of one checkpoint.</summary>
    public string ProbeFile(long step) => Path.Combine(Options.OutDir, "probes", string.Create(CultureInfo.InvariantCulture, $"step-{step:D6}.csv"));

    /// <summary>The steering results of one set.</summary>
    public string SteeringFile(string set) => Path.Combine(Options.OutDir, "steering", set + ".csv");

    /// <summary>The steered continuations of one set, for reading.</summary>
    public string GenerationsFile(string set) => Path.Combine(Options.OutDir, "steering", set + "-generations.csv");

    /// <summary>The checkpoint folder of a step.</summary>
    public string StepFolder(long step) => Path.Combine(RunFolder, string.Create(CultureInfo.InvariantCulture, $"step-{step:D6}"));

    /// <summary>
    /// Step 0, <paramref name="count"/> − 2 steps spaced evenly in log(step) from 1 to <paramref name="steps"/>, and the
    /// midpoint (the steering source); fewer when rounding makes small steps coincide.
    /// </summary>
    public static long[] LogSpacedSteps(long steps, int count)
    {
        var result = new SortedSet<long> { 0, steps, steps / 2 };
        int spaced = Math.Max(2, count - 2);
        for (int i = 0; i < spaced; i++)
            result.Add((long)Math.Round(Math.Exp(Math.Log(steps) * i / (spaced - 1))));
        return result.ToArray();
    }
}
