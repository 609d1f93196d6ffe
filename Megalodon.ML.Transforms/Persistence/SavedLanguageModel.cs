using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;

namespace Megalodon.ML.Transforms;

/// <summary>
/// A language model saved with <c>mlContext.Model.Save</c>, given as a file or a stream, for estimators that build
/// on a language model (LayerActivations, Steer, ContinualPretrain): a pipeline using them can be composed before
/// anything is fitted. It is read once when the estimator is made (for its config, tokenizer and columns) and loaded
/// afresh by each Fit, whose transformer then owns that copy.
/// </summary>
internal sealed class SavedLanguageModel
{
    private readonly string? _path;
    private readonly byte[]? _bytes;

    private SavedLanguageModel(string? path, byte[]? bytes)
    {
        _path = path;
        _bytes = bytes;
        using var model = Load();
        Config = model.Model.Config;
        Tokenizer = model.Tokenizer;
        Scoring = model.Scoring;
        DataRecord = model.DataRecord;
    }

    /// <summary>The saved network's architecture.</summary>
    public MegalodonConfig Config { get; }
    /// <summary>Its tokenizer.</summary>
    public ModelTokenizer Tokenizer { get; }
    /// <summary>Its scoring columns.</summary>
    public LanguageModelScoringOptions Scoring { get; }
    /// <summary>What data trained it (null when unknown).</summary>
    public Megalodon.ML.Training.TrainingDataRecord? DataRecord { get; }

    /// <summary>Where the model comes from, for messages.</summary>
    public string Source => _path is null ? "the given stream" : $"'{_path}'";

    /// <summary>A model saved in the file <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved ML.NET model holding a Megalodon language model.</exception>
    public static SavedLanguageModel FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The saved language model '{path}' does not exist.", path);
        return new SavedLanguageModel(Path.GetFullPath(path), null);
    }

    /// <summary>A model saved in <paramref name="stream"/>, read to its end now (the stream is not kept).</summary>
    /// <exception cref="InvalidDataException">The stream is not a saved ML.NET model holding a Megalodon language model.</exception>
    public static SavedLanguageModel FromStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new SavedLanguageModel(null, copy.ToArray());
    }

    /// <summary>Loads a fresh copy of the language model; the caller owns (disposes) it.</summary>
    /// <exception cref="InvalidDataException">The model cannot be loaded or holds no Megalodon language model.</exception>
    public MegalodonLanguageModelTransformer Load()
    {
        ITransformer loaded;
        try
        {
            using Stream stream = _path is null ? new MemoryStream(_bytes!, writable: false) : File.OpenRead(_path);
            loaded = new MLContext().Model.Load(stream, out _);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or FormatException or ArgumentException or System.IO.InvalidDataException)
        {
            throw new InvalidDataException($"The saved language model {Source} could not be loaded: {ex.Message}", ex);
        }
        var model = loaded.FindMegalodonLanguageModel();
        // Other Megalodon transformers of a saved pipeline hold networks of their own: only the language model is kept.
        foreach (var other in Flatten(loaded).Where(t => !ReferenceEquals(t, model)).OfType<IDisposable>())
            other.Dispose();
        return model ?? throw new InvalidDataException($"The saved model {Source} holds no Megalodon language model (save a fitted Pretrain or ContinualPretrain model).");
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];
}
