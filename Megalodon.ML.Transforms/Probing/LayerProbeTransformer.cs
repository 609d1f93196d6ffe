using Megalodon.ML.Probing;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: LoadableClass(typeof(LayerProbeTransformer), null, typeof(SignatureLoadModel),
    LayerProbeTransformer.UserName, LayerProbeTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(LayerProbeTransformer), null, typeof(SignatureLoadRowMapper),
    LayerProbeTransformer.UserName, LayerProbeTransformer.LoaderSignature)]

namespace Megalodon.ML.Transforms.Probing;

/// <summary>
/// The fitted <see cref="LayerProbeEstimator"/>: per probed column <c>c</c> it adds <c>c.Score</c> (the logit of
/// label true) and <c>c.Probability</c>, and measures held-out accuracy and AUC with <see cref="Evaluate"/>.
/// </summary>
public sealed class LayerProbeTransformer : MegalodonTransformerBase
{
    internal const string LoaderSignature = "MegalodonLayerProbes";
    internal const string UserName = "Megalodon Layer Probes";
    private static readonly VersionInfo Version = CreateVersionInfo("MEGPROBE", LoaderSignature, typeof(LayerProbeTransformer));

    internal LayerProbeTransformer(IHostEnvironment environment, string labelColumnName, IReadOnlyList<LinearProbe> probes)
        : base(environment, nameof(LayerProbeTransformer))
    {
        Host.CheckNonWhiteSpace(labelColumnName, nameof(labelColumnName));
        Host.CheckValue(probes, nameof(probes));
        LabelColumnName = labelColumnName;
        Probes = probes;
    }

    /// <summary>The Boolean label column the probes were trained on (and are evaluated on).</summary>
    public string LabelColumnName { get; }

    /// <summary>The probes, one per column.</summary>
    public IReadOnlyList<LinearProbe> Probes { get; }

    /// <summary>The score (logit) column of a probed column.</summary>
    public static string ScoreColumn(string featureColumn) => featureColumn + ".Score";

    /// <summary>The probability column of a probed column.</summary>
    public static string ProbabilityColumn(string featureColumn) => featureColumn + ".Probability";

    /// <summary>Accuracy (logit above 0 predicts true) and AUC of every probe on <paramref name="data"/> (a held-out split).</summary>
    /// <exception cref="ArgumentException">The label or a probed column is missing or of the wrong type, or there are no rows.</exception>
    public IReadOnlyList<LayerProbeResult> Evaluate(IDataView data)
    {
        Host.CheckValue(data, nameof(data));
        var (labels, values) = ProbeColumns.Read(data, LabelColumnName, Probes.Select(p => p.FeatureColumnName).ToList());
        return Probes.Select((p, k) =>
        {
            var scores = values[k].Select(v => p.Score(v)).ToList();
            var metrics = BinaryProbeMetrics.Measure(scores, labels);
            return new LayerProbeResult(p.FeatureColumnName, metrics.Accuracy, metrics.Auc, metrics.Count);
        }).ToList();
    }

    private protected override VersionInfo ModelVersion => Version;

    // *** Binary format, version 0x00010001 ***
    //   string: label column; int: probe count; per probe:
    //   string column, int width, float × width mean, float × width std, float × width weights, float bias
    private protected override void SaveContents(ModelSaveContext ctx)
    {
        ctx.SaveNonEmptyString(LabelColumnName);
        ctx.Writer.Write(Probes.Count);
        foreach (var p in Probes)
        {
            ctx.SaveNonEmptyString(p.FeatureColumnName);
            ctx.Writer.Write(p.Weights.Count);
            foreach (var list in new[] { p.Standardization.Mean, p.Standardization.Std, p.Weights })
                foreach (float v in list) ctx.Writer.Write(v);
            ctx.Writer.Write(p.Bias);
        }
    }

    // Factory for SignatureLoadModel.
    private static LayerProbeTransformer Create(IHostEnvironment environment, ModelLoadContext ctx)
    {
        Contracts.CheckValue(environment, nameof(environment));
        environment.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(Version);
        string label = ctx.LoadNonEmptyString();
        int count = ctx.Reader.ReadInt32();
        var probes = new List<LinearProbe>();
        for (int k = 0; k < count; k++)
        {
            string column = ctx.LoadNonEmptyString();
            int width = ctx.Reader.ReadInt32();
            float[] Read() => Enumerable.Range(0, width).Select(_ => ctx.Reader.ReadSingle()).ToArray();
            var mean = Read();
            var std = Read();
            var weights = Read();
            probes.Add(new LinearProbe(column, new Standardization(mean, std), weights, ctx.Reader.ReadSingle()));
        }
        return new LayerProbeTransformer(environment, label, probes);
    }

    // Factory for SignatureLoadRowMapper.
    private static IRowMapper Create(IHostEnvironment environment, ModelLoadContext ctx, DataViewSchema inputSchema)
        => Create(environment, ctx).MakeRowMapper(inputSchema);

    /// <summary>Makes the row mapper; checks the probed columns exist with the trained width.</summary>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : MegalodonMapperBase
    {
        private readonly LayerProbeTransformer _parent;
        private readonly int[] _inputs;

        public Mapper(LayerProbeTransformer parent, DataViewSchema inputSchema) : base(parent, inputSchema, nameof(Mapper))
        {
            _parent = parent;
            _inputs = parent.Probes.Select(p =>
            {
                if (!inputSchema.TryGetColumnIndex(p.FeatureColumnName, out int index))
                    throw new ArgumentException($"The probed column '{p.FeatureColumnName}' was not found.");
                if (inputSchema[index].Type is not VectorDataViewType { ItemType: NumberDataViewType n, Size: var size } || n.RawType != typeof(float) || size != p.Weights.Count)
                    throw new ArgumentException($"The probed column '{p.FeatureColumnName}' is {inputSchema[index].Type}; the probe was trained on vectors of {p.Weights.Count} Single values.");
                return index;
            }).ToArray();
        }

        protected override IReadOnlyList<int> InputColumnIndices => _inputs;

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() =>
            _parent.Probes.SelectMany(p => new[]
            {
                new DataViewSchema.DetachedColumn(ScoreColumn(p.FeatureColumnName), NumberDataViewType.Single),
                new DataViewSchema.DetachedColumn(ProbabilityColumn(p.FeatureColumnName), NumberDataViewType.Single),
            }).ToArray();

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var probe = _parent.Probes[iinfo / 2];
            var getVector = input.GetGetter<VBuffer<float>>(input.Schema[_inputs[iinfo / 2]]);
            bool probability = iinfo % 2 == 1;
            VBuffer<float> buffer = default;
            return (ValueGetter<float>)((ref float value) =>
            {
                getVector(ref buffer);
                double score = probe.Score(buffer.DenseValues().ToArray());
                value = (float)(probability ? LinearProbe.Probability(score) : score);
            });
        }
    }
}

/// <summary>Held-out quality of one layer's probe.</summary>
/// <param name="FeatureColumnName">The probed column.</param>
/// <param name="Accuracy">Share of correct predictions.</param>
/// <param name="Auc">Area under the ROC curve.</param>
/// <param name="Count">Rows evaluated.</param>
public sealed record LayerProbeResult(string FeatureColumnName, double Accuracy, double Auc, int Count);
