using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Pretraining;

/// <summary>Tiny data and options so that pretraining tests take a second or two.</summary>
internal static class PretrainTestData
{
    public sealed class TextRow { public string Text { get; set; } = ""; }
    public sealed class NumberRow { public float Text { get; set; } }

    public static readonly string[] Documents =
    [
        "The quick brown fox jumps over the lazy dog.",
        "A journey of a thousand miles begins with a single step.",
        "To be or not to be, that is the question.",
        "All that glitters is not gold; all who wander are not lost.",
        "The rain in Spain stays mainly in the plain, they say.",
        "Knowledge speaks, but wisdom listens to the quiet morning.",
    ];

    public static IDataView TextData(MLContext ml, IEnumerable<string>? texts = null) =>
        ml.Data.LoadFromEnumerable((texts ?? Documents).Select(t => new TextRow { Text = t }));

    public static MegalodonConfig Config => new()
    {
        NumLayers = 2, ModelDim = 16, ZDim = 8, ValueDim = 24, NumHeads = 2, FfnHiddenDim = 32, CemaNDim = 4,
        ChunkSize = 16, NormNumGroups = 4, SwiGlu = true, VocabSize = 257,
    };

    public static MegalodonPretrainEstimator.Options Options(int steps = 6, string? checkpoints = null) => new()
    {
        Config = Config,
        Tokenizer = ModelTokenizer.ByteLevel(),
        SequenceLength = 32,
        BatchSize = 2,
        MaxSteps = steps,
        LearningRate = 3e-3,
        WarmupSteps = 1,
        EvalInterval = 0,
        ValidationBatches = 2,
        ValidationFraction = 0.2,
        CheckpointFolder = checkpoints,
        CheckpointInterval = 2,
        Seed = 7,
        Threads = 1,
        Scoring = new LanguageModelScoringOptions { BatchSize = 3 },
    };
}
