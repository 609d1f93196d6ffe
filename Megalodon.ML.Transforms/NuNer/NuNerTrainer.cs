using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Ner;
using Megalodon.ML.Runtime;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Ner;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.NuNer;

/// <summary>
/// Trains a named-entity tagger in ML.NET's NER convention (the column contract of <c>NamedEntityRecognition</c> in
/// Microsoft.ML.TorchSharp): a sentence text column (words separated by whitespace) and a label column with one BIO label
/// per word, either a vector of keys whose key values are the label names or a vector of label strings. Word labels are
/// aligned to the byte-level sub-tokens through their character offsets; a linear head over a
/// <see cref="BidirectionalEncoder"/> (NuNER- or MLM-pretrained, or fresh) is fine-tuned with the encoder or on a frozen
/// one, optionally with validation data (entity F1 checks, early stopping, best weights kept). Sentences longer than
/// <see cref="Options.MaxTokens"/> are trained and tagged in windows. Fitting returns a <see cref="NuNerTransformer"/>.
/// </summary>
public sealed class NuNerTrainer : IEstimator<NuNerTransformer>
{
    /// <summary>Everything the trainer can be told. Names follow ML.NET's <c>NamedEntityRecognition</c> options where the concept is the same.</summary>
    public sealed class Options
    {
        /// <summary>The sentence column (text; the words joined by whitespace). ML.NET's name for it.</summary>
        public string Sentence1ColumnName = NerColumnNames.Sentence;
        /// <summary>The label column: one BIO label per word, as a vector of keys with the label names as key values, or as a vector of text.</summary>
        public string LabelColumnName = NerColumnNames.Label;
        /// <summary>The predicted labels, a vector of keys (one per word) with the label names as key values (<see cref="NuNerTransformer.OutputKeyType"/>).</summary>
        public string OutputColumnName = NerColumnNames.PredictedLabel;
        /// <summary>The predicted entity spans, a text vector of <c>type:start-end</c> (word indices, end exclusive).</summary>
        public string EntitiesColumnName = "Entities";
        /// <summary>A pretrained text encoder file (from an encoder pretraining estimator, <c>EncoderFiles.SaveEncoder</c> or <c>megalodon ner pretrain</c>); it wins over <see cref="Encoder"/> and <see cref="EncoderConfig"/>.</summary>
        public string? EncoderPath;
        /// <summary>A pretrained text encoder in memory (copied, not changed); used when <see cref="EncoderPath"/> is null.</summary>
        public BidirectionalEncoder? Encoder;
        /// <summary>The shape of a fresh encoder when neither <see cref="EncoderPath"/> nor <see cref="Encoder"/> is given; null for <see cref="EncoderPresets.Tiny"/>.</summary>
        public MegalodonConfig? EncoderConfig;
        /// <summary>Train only the classification head, keeping the encoder's weights.</summary>
        public bool FreezeEncoder;
        /// <summary>Most passes over the training sentences; the run is shorter when <see cref="MaxSteps"/>, <see cref="TokenBudget"/> or early stopping says so.</summary>
        public int MaxEpochs = 10;
        /// <summary>A step budget: at most this many optimizer steps (may be less than an epoch); null for <see cref="MaxEpochs"/> alone.</summary>
        public int? MaxSteps;
        /// <summary>A token budget: about this many input tokens (UTF-8 bytes) of training, rounded to whole steps; null for none.</summary>
        public long? TokenBudget;
        /// <summary>Sentences per optimizer step.</summary>
        public int BatchSize = 16;
        /// <summary>Peak learning rate.</summary>
        public double LearningRate = 1e-3;
        /// <summary>Share of the steps spent warming the learning rate up linearly from 1% of the peak.</summary>
        public double WarmupFraction = 0.1;
        /// <summary>Decay after warm-up: cosine (default), linear or constant.</summary>
        public ReferenceDecay LearningRateDecay = ReferenceDecay.Cosine;
        /// <summary>The last step's learning rate as a share of the peak.</summary>
        public double EndLearningRateRatio = 0.1;
        /// <summary>Decoupled weight decay.</summary>
        public double WeightDecay = 0.01;
        /// <summary>Held-out rows with the same sentence and label columns: entity F1 on them is checked during training, the best weights are kept, and training stops early when it stops improving.</summary>
        public IDataView? ValidationSet;
        /// <summary>Steps between validation checks; 0 checks once per epoch.</summary>
        public int ValidationInterval;
        /// <summary>Validation checks in a row without a better entity F1 that stop training; 0 never stops early.</summary>
        public int EarlyStoppingPatience = 3;
        /// <summary>Longest window in tokens (UTF-8 bytes): longer sentences are trained on in consecutive windows and tagged in overlapping ones.</summary>
        public int MaxTokens = 512;
        /// <summary>Windows per forward pass at prediction time.</summary>
        public int InferenceBatchSize = 32;
        /// <summary>Seed of the head's initialisation and the data order; null draws one from the MLContext.</summary>
        public int? Seed;
        /// <summary>Intra-op torch threads; null leaves the current setting (see <c>TorchDevices.ConfigureThreads</c>).</summary>
        public int? Threads;
        /// <summary>Per-step progress reports.</summary>
        public IProgress<TrainingProgress>? Progress;
        /// <summary>Called after every validation check (step, epoch, training loss, dev entity F1).</summary>
        public Action<ValidationCheck>? OnValidation;
        /// <summary>Stops training between steps.</summary>
        public CancellationToken CancellationToken;
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal NuNerTrainer(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(NuNerTrainer));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.Sentence1ColumnName, nameof(options.Sentence1ColumnName));
        _host.CheckNonWhiteSpace(options.LabelColumnName, nameof(options.LabelColumnName));
        _host.CheckNonWhiteSpace(options.OutputColumnName, nameof(options.OutputColumnName));
        _host.CheckNonWhiteSpace(options.EntitiesColumnName, nameof(options.EntitiesColumnName));
        if (options.OutputColumnName == options.EntitiesColumnName)
            throw new ArgumentException("The output (predicted-label) and entities columns need different names.", nameof(options));
        if (options.MaxEpochs <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxEpochs, "MaxEpochs must be positive.");
        if (options.MaxSteps is <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxSteps, "MaxSteps must be positive.");
        if (options.TokenBudget is <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.TokenBudget, "TokenBudget must be positive.");
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "The batch size must be positive.");
        if (options.InferenceBatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.InferenceBatchSize, "The inference batch size must be positive.");
        if (options.WarmupFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), options.WarmupFraction, "WarmupFraction must be in [0, 1).");
        if (options.ValidationInterval < 0) throw new ArgumentOutOfRangeException(nameof(options), options.ValidationInterval, "ValidationInterval must not be negative.");
        if (options.EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(options), options.EarlyStoppingPatience, "EarlyStoppingPatience must not be negative.");
        _options = options;
    }

    /// <summary>The input schema plus the predicted labels (a key vector) and the entity spans (a text vector).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sentence column is missing or not text, or the label column is missing or neither a vector of keys nor a vector of text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        TextColumn.CheckSchema(_host, inputSchema, _options.Sentence1ColumnName);
        if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName);
        bool keys = label.IsKey, text = !label.IsKey && label.ItemType is TextDataViewType;
        if (label.Kind == SchemaShape.Column.VectorKind.Scalar || !(keys || text))
            throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName, "vector of keys or vector of text (one BIO label per word)", label.GetTypeString());
        var columns = inputSchema.ToDictionary(c => c.Name);
        // Text labels become keys over the label set found in the data; key labels keep their key type.
        var keyValues = new SchemaShape(label.Annotations.Where(a => a.Name == AnnotationUtils.Kinds.KeyValues).Concat(keys ? [] : [KeyValuesShape]));
        columns[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.VariableVector,
            keys ? label.ItemType : NumberDataViewType.UInt32, true, keyValues);
        columns[_options.EntitiesColumnName] = new SchemaShape.Column(_options.EntitiesColumnName, SchemaShape.Column.VectorKind.VariableVector,
            TextDataViewType.Instance, false);
        return new SchemaShape(columns.Values);
    }

    private static readonly SchemaShape.Column KeyValuesShape =
        new(AnnotationUtils.Kinds.KeyValues, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);

    /// <summary>Fine-tunes on <paramref name="input"/> (and checks on <see cref="Options.ValidationSet"/> when given).</summary>
    /// <exception cref="ArgumentException">Bad data: a schema mismatch, no rows, an empty sentence, a word count that differs from the label count, or label names that are not BIO labels; the message names the row and the data set.</exception>
    public NuNerTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var trainRows = ReadRows(input, "training");
        if (trainRows.Count == 0) throw new ArgumentException("The training data has no rows.");
        List<NerSentence>? validation = null;
        if (o.ValidationSet is { } validationSet)
        {
            GetOutputSchema(SchemaShape.Create(validationSet.Schema));
            validation = ReadRows(validationSet, "validation").Select(r => new NerSentence(r.Words, r.Labels.Select(l => l ?? BioTag.OutsideLabel).ToArray())).ToList();
            if (validation.Count == 0) throw new ArgumentException("The validation set has no rows.");
        }
        var labelColumn = input.Schema[o.LabelColumnName];
        var (labelNames, keyType) = LabelSet(labelColumn, trainRows, validation);
        var index = labelNames.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var examples = trainRows.SelectMany(r => WordWindows.TrainingPieces(r.Words,
            r.Labels.Select(l => l is null ? TokenClassifierTrainer.IgnoredLabel : index[l]).ToArray(), o.MaxTokens)).ToList();

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
        ClassifierCreated?.Invoke(classifier);
        try
        {
            int steps = Steps(examples);
            var settings = new EncoderTrainingSettings
            {
                Steps = steps,
                BatchSize = o.BatchSize,
                LearningRate = o.LearningRate,
                WarmupSteps = (int)(steps * o.WarmupFraction),
                Decay = o.LearningRateDecay,
                EndLearningRateRatio = o.EndLearningRateRatio,
                WeightDecay = o.WeightDecay,
                Seed = seed,
                MaxTokens = o.MaxTokens,
            };
            TaggerValidation? checks = validation is null ? null : new TaggerValidation
            {
                Score = c => TaggerLabels.Evaluate(c, validation, labelNames, o.MaxTokens, o.InferenceBatchSize).F1,
                IntervalSteps = o.ValidationInterval,
                Patience = o.EarlyStoppingPatience,
                OnCheck = check =>
                {
                    channel.Info($"validation at step {check.Step} (epoch {check.Epoch:F2}): entity F1 {100 * check.Score:F1}{(check.IsBest ? " (best)" : "")}, training loss {check.TrainingLoss:F4}");
                    o.OnValidation?.Invoke(check);
                },
            };
            channel.Info($"Fine-tuning a NER tagger ({labelNames.Length} labels, {(o.FreezeEncoder ? "frozen" : "trained")} encoder from {(o.EncoderPath ?? (o.Encoder is null ? "scratch" : "memory"))}) on {trainRows.Count:N0} sentences ({examples.Count:N0} windows), {steps:N0} steps, {threads} thread(s), seed {seed}{(validation is null ? "" : $", {validation.Count:N0} validation sentences")}.");
            var result = TokenClassifierTrainer.Train(classifier, examples, settings, o.FreezeEncoder,
                new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)), o.CancellationToken, checks);
            channel.Info($"Final training loss {result.MeanOfLast(10):F4} after {result.Elapsed.TotalSeconds:F0} s{(result.Best is { } best ? $"; kept the weights of step {best.Step} (validation entity F1 {100 * best.Score:F1}){(result.StoppedEarly ? ", stopped early" : "")}" : "")}.");
            return new NuNerTransformer(_host, classifier, labelNames, keyType, o) { TrainingResult = result };
        }
        catch
        {
            // A failed Fit releases the tagger it made; the caller only sees the exception.
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>Called with the tagger as soon as it exists (tests check that a failed Fit disposes it).</summary>
    internal Action<TokenClassifier>? ClassifierCreated { get; set; }

    /// <summary>The step count: the epochs' steps, cut by the step and token budgets.</summary>
    private int Steps(List<(EncodedWords Words, int[] Labels)> examples)
    {
        var o = _options;
        int batch = Math.Min(o.BatchSize, examples.Count);
        long steps = (long)Math.Ceiling((double)o.MaxEpochs * examples.Count / batch);
        if (o.MaxSteps is { } maxSteps) steps = Math.Min(steps, maxSteps);
        if (o.TokenBudget is { } budget)
        {
            double tokensPerStep = batch * examples.Average(e => (double)e.Words.Ids.Length);
            steps = Math.Min(steps, (long)Math.Ceiling(budget / Math.Max(1, tokensPerStep)));
        }
        return (int)Math.Clamp(steps, 1, int.MaxValue);
    }

    /// <summary>
    /// The label names and the output key type: a key label column brings both (its key values must be BIO labels); a text
    /// label column gets the <see cref="NerLabelSet"/> of the training and validation labels (<c>O</c> first).
    /// </summary>
    private static (string[] Names, KeyDataViewType KeyType) LabelSet(DataViewSchema.Column label, List<LabelledRow> train, List<NerSentence>? validation)
    {
        if (label.Type.GetItemType() is KeyDataViewType keyType)
            return (KeyNames(label), keyType);
        var set = NerLabelSet.FromSentences(train.Select(r => new NerSentence(r.Words, r.Labels.Select(l => l ?? BioTag.OutsideLabel).ToArray()))
            .Concat(validation ?? []));
        return (set.Labels.ToArray(), new KeyDataViewType(typeof(uint), set.Count));
    }

    /// <summary>The label names from the key values; each must be a BIO label.</summary>
    private static string[] KeyNames(DataViewSchema.Column label)
    {
        var keyType = (KeyDataViewType)label.Type.GetItemType();
        VBuffer<ReadOnlyMemory<char>> values = default;
        if (label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not { } keyValues || keyValues.Type.GetItemType() is not TextDataViewType)
            throw new ArgumentException($"The label column '{label.Name}' has no text key values: give the BIO labels as text, or map them to keys with mlContext.Transforms.Conversion.MapValueToKey so the tagger knows the label names.");
        label.Annotations.GetValue(AnnotationUtils.Kinds.KeyValues, ref values);
        var names = values.DenseValues().Select(v => v.ToString()).ToArray();
        if ((ulong)names.Length != keyType.Count)
            throw new ArgumentException($"The label column '{label.Name}' has {keyType.Count} keys but {names.Length} key values.");
        foreach (var name in names)
            if (!BioTag.TryParse(name, out _))
                throw new ArgumentException($"The label '{name}' of column '{label.Name}' is not a BIO label (O, B-type or I-type).");
        return names;
    }

    /// <summary>A row: its words and, per word, its label name (null for a missing key, which is not trained on).</summary>
    private sealed record LabelledRow(string[] Words, string?[] Labels);

    /// <summary>Reads every row: its words (split on whitespace) and one label name per word, from keys (through the key values) or text.</summary>
    private List<LabelledRow> ReadRows(IDataView data, string role)
    {
        var o = _options;
        var sentenceColumn = data.Schema[o.Sentence1ColumnName];
        var labelColumn = data.Schema[o.LabelColumnName];
        bool keys = labelColumn.Type.GetItemType() is KeyDataViewType;
        string[] keyNames = keys ? KeyNames(labelColumn) : [];
        var result = new List<LabelledRow>();
        using var cursor = data.GetRowCursor([sentenceColumn, labelColumn]);
        var getSentence = cursor.GetGetter<ReadOnlyMemory<char>>(sentenceColumn);
        ValueGetter<VBuffer<uint>>? getKeys = keys ? cursor.GetGetter<VBuffer<uint>>(labelColumn) : null;
        ValueGetter<VBuffer<ReadOnlyMemory<char>>>? getText = keys ? null : cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(labelColumn);
        ReadOnlyMemory<char> sentence = default;
        VBuffer<uint> keyLabels = default;
        VBuffer<ReadOnlyMemory<char>> textLabels = default;
        long row = 0;
        while (cursor.MoveNext())
        {
            getSentence(ref sentence);
            var words = NuNerTransformer.SplitWords(sentence);
            if (words.Length == 0)
                throw new ArgumentException($"Row {row} of the {role} data: the sentence in column '{o.Sentence1ColumnName}' is empty; every sentence needs at least one word.");
            string?[] names;
            if (getKeys is not null)
            {
                getKeys(ref keyLabels);
                names = keyLabels.DenseValues().Select(k => k == 0 ? null : keyNames[k - 1]).ToArray();
            }
            else
            {
                getText!(ref textLabels);
                names = textLabels.DenseValues().Select(t => t.ToString()).ToArray();
                foreach (var name in names)
                    if (!BioTag.TryParse(name!, out _))
                        throw new ArgumentException($"Row {row} of the {role} data: the label '{name}' in column '{o.LabelColumnName}' is not a BIO label (O, B-type or I-type).");
            }
            if (names.Length != words.Length)
                throw new ArgumentException($"Row {row} of the {role} data: the sentence has {words.Length} words but column '{o.LabelColumnName}' has {names.Length} labels; each word needs exactly one label.");
            result.Add(new LabelledRow(words, names));
            row++;
        }
        return result;
    }
}
