using Megalodon.Cli.CommandLine;
using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Ner;
using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;

namespace Megalodon.Cli.Commands.Ner;

/// <summary>The files the <c>ner</c> sub-verbs read, each missing or malformed one a <see cref="CommandFailedException"/> naming it.</summary>
internal static class NerFiles
{
    /// <summary>The encoder trainers' settings: warm-up over the first tenth of the steps.</summary>
    public static EncoderTrainingSettings Settings(int steps, int batch, double learningRate, int seed) => new()
    {
        Steps = steps,
        BatchSize = batch,
        LearningRate = learningRate,
        WarmupSteps = Math.Max(1, steps / 10),
        Seed = seed,
    };

    /// <summary>A CoNLL file as a data view (for the trainer); with <paramref name="lenient"/>, repaired lines are reported on <paramref name="error"/>.</summary>
    public static IDataView LoadConll(MLContext ml, string path, bool lenient, TextWriter error) =>
        ml.Data.LoadFromNerSentences(ReadConll(path, lenient, error));

    /// <summary>A CoNLL file as sentences (for the evaluator); with <paramref name="lenient"/>, repaired lines are reported on <paramref name="error"/>.</summary>
    public static IReadOnlyList<NerSentence> ReadConll(string path, bool lenient, TextWriter error)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"data file '{path}' not found.");
        try
        {
            var read = ConllReader.ReadFile(path, lenient ? new ConllReaderOptions { Lenient = true } : ConllReaderOptions.Strict);
            if (read.Repairs.Count > 0) error.WriteLine($"{path}: {read.Summary()}");
            return read.Sentences;
        }
        catch (FormatException ex) { throw new CommandFailedException(ex.Message); }
    }

    /// <summary>A NER model saved by <c>megalodon ner train</c>.</summary>
    public static NuNerTransformer LoadModel(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"model '{path}' not found.");
        return new MLContext().Model.Load(path, out _) as NuNerTransformer
            ?? throw new CommandFailedException($"'{path}' is not a NER model saved by 'megalodon ner train'.");
    }

    /// <summary>A text encoder saved by <c>megalodon ner pretrain</c>.</summary>
    public static BidirectionalEncoder LoadEncoder(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"encoder '{path}' not found.");
        try { return EncoderFiles.LoadEncoder(path); }
        catch (InvalidDataException ex) { throw new CommandFailedException(ex.Message); }
    }

    /// <summary>A concept encoder saved by <c>megalodon ner pretrain</c>.</summary>
    public static ConceptEncoder LoadConceptEncoder(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"concept encoder '{path}' not found.");
        try { return EncoderFiles.LoadConceptEncoder(path); }
        catch (InvalidDataException ex) { throw new CommandFailedException(ex.Message); }
    }
}
