using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Ner;
using Megalodon.ML.Runtime;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.NuNer;

/// <summary>
/// Trains a named-entity tagger in ML.NET's NER convention: a sentence text column (words separated by whitespace) and a
/// key-typed vector of BIO labels, one per word. Word labels are aligned to the byte-level sub-tokens through their
/// character offsets; a linear head over a <see cref="BidirectionalEncoder"/> (NuNER- or MLM-pretrained, or fresh) is
/// fine-tuned with the encoder or on a frozen one. Fitting returns a <see cref="NuNerTransformer"/>.
/// </summary>
public sealed class NuNerTrainer : IEstimator<NuNerTransformer>
{
    /// <summary>Everything the trainer can be told.</summary>
    public sealed class Options
    {
        /// <summary>The sentence column (text; the words joined by whitespace).</summary>
        public string SentenceColumnName = "Sentence";
        /// <summary>The label column: a vector of keys (one BIO label per word) whose key values are the label names.</summary>
        public string LabelColumnName = "Label";
        /// <summary>The predicted labels, a vector of keys of the label column's key type (one per word).</summary>
        public string PredictedLabelColumnName = "PredictedLabel";
        /// <summary>The predicted entity spans, a text vector of <c>type:start-end</c> (word indices, end exclusive).</summary>
        public string EntitiesColumnName = "Entities";
        /// <summary>A pretrained text encoder file (from <c>EncoderFiles.SaveEncoder</c> or <c>megalodon ner pretrain</c>); it wins over <see cref="Encoder"/> and <see cref="EncoderConfig"/>.</summary>
        public string? EncoderPath;
        /// <summary>A pretrained text encoder in memory (copied, not changed); used when <see cref="EncoderPath"/> is null.</summary>
        public BidirectionalEncoder? Encoder;
        /// <summary>The shape of a fresh encoder when neither <see cref="EncoderPath"/> nor <see cref="Encoder"/> is given; null for <see cref="EncoderPresets.Tiny"/>.</summary>
        public MegalodonConfig? EncoderConfig;
        /// <summary>Train only the classification head, keeping the encoder's weights.</summary>
        public bool FreezeEncoder;
        /// <summary>Passes over the training sentences (the step count is epochs × rows / batch size, at least 1).</summary>
        public int Epochs = 10;
        /// <summary>Sentences per optimizer step.</summary>
        public int BatchSize = 16;
        /// <summary>Peak learning rate (linear warm-up over 10% of the steps, cosine decay).</summary>
        public double LearningRate = 1e-3;
        /// <summary>Decoupled weight decay.</summary>
        public double WeightDecay = 0.01;
        /// <summary>Longest sentence in tokens (UTF-8 bytes); words past it are not trained on and are predicted outside any entity.</summary>
        public int MaxTokens = 512;
        /// <summary>Sentences per forward pass at prediction time.</summary>
        public int InferenceBatchSize = 32;
        /// <summary>Seed of the head's initialisation and the data order; null draws one from the MLContext.</summary>
        public int? Seed;
        /// <summary>Intra-op torch threads; null leaves the current setting (see <c>TorchDevices.ConfigureThreads</c>).</summary>
        public int? Threads;
        /// <summary>Per-step progress reports.</summary>
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Stops training between steps.</summary>
        public CancellationToken CancellationToken;
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal NuNerTrainer(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(NuNerTrainer));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.SentenceColumnName, nameof(options.SentenceColumnName));
        _host.CheckNonWhiteSpace(options.LabelColumnName, nameof(options.LabelColumnName));
        _host.CheckNonWhiteSpace(options.PredictedLabelColumnName, nameof(options.PredictedLabelColumnName));
        _host.CheckNonWhiteSpace(options.EntitiesColumnName, nameof(options.EntitiesColumnName));
        if (options.PredictedLabelColumnName == options.EntitiesColumnName)
            throw new ArgumentException("The predicted-label and entities columns need different names.", nameof(options));
        if (options.Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be positive.");
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "The batch size must be positive.");
        if (options.InferenceBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.InferenceBatchSize, "The inference batch size must be positive.");
        _options = options;
    }

    /// <summary>The input schema plus the predicted labels (a key vector of the label's key type) and the entity spans (a text vector).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sentence column is missing or not text, or the label column is missing or not a vector of keys.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.CheckSchema(_host, inputSchema, _options.SentenceColumnName);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName);
        if (!label.IsKey || label.Kind == SchemaShape.Column.VectorKind.Scalar)
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName, "vector of keys (one BIO label per word)", label.GetTypeString());
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.PredictedLabelColumnName] = new SchemaShape.Column(_options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.VariableVector,
            label.ItemType, true, label.Annotations);
        columns[_options.EntitiesColumnName] = new SchemaShape.Column(_options.EntitiesColumnName, SchemaShape.Column.VectorKind.VariableVector,
            TextDataViewType.Instance, false);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Fine-tunes on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">Bad data: a schema mismatch, no rows, an empty sentence, a word count that differs from the label count, or label names that are not BIO labels; the message names the row.</exception>
    public NuNerTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var labelColumn = input.Schema[o.LabelColumnName];
        var labelNames = LabelNames(labelColumn);
        var sentences = ReadSentences(input, o.MaxTokens);

        using var channel = _host.Start("NuNer");
        // Threads and the global generator are borrowed for the Fit and given back: no process-wide side effect.
        using var threadScope = ThreadCountScope.Use(o.Threads);
        int threads = threadScope.Count;
        int seed = o.Seed ?? _host.Rand.Next();
        using var seeded = GlobalRandomScope.Seeded(seed);
        BidirectionalEncoder? loaded = o.EncoderPath is { } path ? EncoderFiles.LoadEncoder(path) : null;
        var source = loaded ?? o.Encoder;
        var classifier = source is not null
            ? new TokenClassifier(source, labelNames.Length)
            : new TokenClassifier(o.EncoderConfig ?? EncoderPresets.Tiny(), labelNames.Length);
        loaded?.Dispose();
        int steps = (int)Math.Max(1, Math.Ceiling((double)o.Epochs * sentences.Count / o.BatchSize));
        var settings = new EncoderTrainingSettings
        {
            Steps = steps,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            WarmupSteps = steps / 10,
            WeightDecay = o.WeightDecay,
            Seed = seed,
            MaxTokens = o.MaxTokens,
        };
        channel.Info($"Fine-tuning a NER tagger ({labelNames.Length} labels, {(o.FreezeEncoder ? "frozen" : "trained")} encoder from {(o.EncoderPath ?? (o.Encoder is null ? "scratch" : "memory"))}) on {sentences.Count:N0} sentences, {steps:N0} steps, {threads} thread(s), seed {seed}.");
        var result = TokenClassifierTrainer.Train(classifier, sentences, settings, o.FreezeEncoder,
            new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)), o.CancellationToken);
        channel.Info($"Final training loss {result.MeanOfLast(10):F4} after {result.Elapsed.TotalSeconds:F0} s.");
        return new NuNerTransformer(_host, classifier, labelNames, (KeyDataViewType)labelColumn.Type.GetItemType(), o) { TrainingResult = result };
    }

    /// <summary>The label names from the key values; each must be a BIO label.</summary>
    private static string[] LabelNames(DataViewSchema.Column label)
    {
        var keyType = (KeyDataViewType)label.Type.GetItemType();
        VBuffer<ReadOnlyMemory<char>> values = default;
        if (label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not { } keyValues || keyValues.Type.GetItemType() is not TextDataViewType)
            throw new ArgumentException($"The label column '{label.Name}' has no text key values: map the BIO label strings to keys with mlContext.Transforms.Conversion.MapValueToKey so the tagger knows the label names.");
        label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
        var names = values.DenseValues().Select(v => v.ToString()).ToArray();
        if ((ulong)names.Length != keyType.Count)
            throw new ArgumentException($"The label column '{label.Name}' has {keyType.Count} keys but {names.Length} key values.");
        foreach (var name in names)
            if (!BioTag.TryParse(name, out _))
                throw new ArgumentException($"The label '{name}' of column '{label.Name}' is not a BIO label (O, B-type or I-type).");
        return names;
    }

    /// <summary>Reads every row: its words (split on whitespace) and one class index per word (key − 1; a missing key is not trained on).</summary>
    private List<(EncodedWords Words, int[] Labels)> ReadSentences(IDataView input, int maxTokens)
    {
        var o = _options;
        var sentenceColumn = input.Schema[o.SentenceColumnName];
        var labelColumn = input.Schema[o.LabelColumnName];
        var result = new List<(EncodedWords, int[])>();
        using var cursor = input.GetRowCursor([sentenceColumn, labelColumn]);
        var getSentence = cursor.GetGetter<ReadOnlyMemory<char>>(sentenceColumn);
        var getLabels = cursor.GetGetter<VBuffer<uint>>(labelColumn);
        ReadOnlyMemory<char> sentence = default;
        VBuffer<uint> labels = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            getSentence(ref sentence);
            getLabels(ref labels);
            var words = NuNerTransformer.SplitWords(sentence);
            if (words.Length == 0)
                throw new ArgumentException($"Row {row}: the sentence in column '{o.SentenceColumnName}' is empty; every training sentence needs at least one word.");
            if (labels.Length != words.Length)
                throw new ArgumentException($"Row {row}: the sentence has {words.Length} words but column '{o.LabelColumnName}' has {labels.Length} labels; each word needs exactly one label.");
            var classes = labels.DenseValues().Select(k => k == 0 ? TokenClassifierTrainer.IgnoredLabel : (int)k - 1).ToArray();
            result.Add((EncodedWords.FromWords(words, maxTokens), classes));
            row++;
        }
        if (result.Count == 0) throw new ArgumentException("The training data has no rows.");
        return result;
    }
}
