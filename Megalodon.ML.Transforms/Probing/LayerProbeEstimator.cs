using Megalodon.ML.Probing;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>
/// Trains one linear probe per layer column: standardisation with statistics of the training data only (unlike the
/// TracingLLM code, which standardises with test rows too), then ML.NET's L-BFGS logistic regression on a Boolean
/// label. The fitted <see cref="LayerProbeTransformer"/> adds per column a score (logit) and a probability, and
/// <see cref="LayerProbeTransformer.Evaluate"/> gives held-out accuracy and AUC per layer.
/// Create it with <c>mlContext.Transforms.Megalodon().ProbeLayers(...)</c>.
/// </summary>
public sealed class LayerProbeEstimator : IEstimator<LayerProbeTransformer>
{
    /// <summary>Options of <see cref="LayerProbeEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The Boolean label column.</summary>
        public string LabelColumnName = "Label";
        /// <summary>The activation columns to probe (known-size float vectors); null for every such column of the data.</summary>
        public IReadOnlyList<string>? FeatureColumnNames;
        /// <summary>L2 weight of the logistic regression (ML.NET's default).</summary>
        public float L2Regularization = 1f;
        /// <summary>L-BFGS iterations (scikit-learn's default, as the paper's probes).</summary>
        public int MaximumNumberOfIterations = 100;
        /// <summary>Standardise each column with training statistics before the regression.</summary>
        public bool Standardize = true;
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal LayerProbeEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(LayerProbeEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.LabelColumnName, nameof(options.LabelColumnName));
        if (options.MaximumNumberOfIterations <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaximumNumberOfIterations, "MaximumNumberOfIterations must be positive.");
        if (!(options.L2Regularization >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.L2Regularization, "L2Regularization must be non-negative.");
        _options = options;
    }

    /// <summary>The input schema plus, per probed column <c>c</c>, <c>c.Score</c> and <c>c.Probability</c>.</summary>
    /// <exception cref="ArgumentException">The label is missing or not Boolean, or a feature column is missing or not a float vector.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        _host.CheckValue(inputSchema, nameof(inputSchema));
        ProbeColumns.CheckLabel(inputSchema, _options.LabelColumnName);
        var features = _options.FeatureColumnNames
            ?? inputSchema.Where(c => c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType is NumberDataViewType n && n.RawType == typeof(float)).Select(c => c.Name).ToList();
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var f in features)
        {
            ProbeColumns.CheckFeatures(inputSchema, f);
            foreach (var name in new[] { LayerProbeTransformer.ScoreColumn(f), LayerProbeTransformer.ProbabilityColumn(f) })
                columns[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        }
        return new SchemaShape(columns.Values);
    }

    /// <summary>Trains the probes on <paramref name="input"/> (the training split).</summary>
    /// <exception cref="ArgumentException">Bad columns, no rows, or a single class.</exception>
    public LayerProbeTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var features = _options.FeatureColumnNames ?? ProbeColumns.FloatVectors(input.Schema);
        if (features.Count == 0) throw new ArgumentException("The data has no float vector column to probe; give FeatureColumnNames.");
        var (labels, values) = ProbeColumns.Read(input, _options.LabelColumnName, features);
        if (labels.All(l => l) || labels.All(l => !l))
            throw new ArgumentException($"The label column '{_options.LabelColumnName}' holds only {(labels[0] ? "true" : "false")} values in the training data: a probe needs both classes.");
        using var channel = _host.Start("ProbeLayers");
        var probes = new List<LinearProbe>();
        for (int k = 0; k < features.Count; k++)
        {
            var probe = Train(features[k], values[k], labels);
            probes.Add(probe);
            channel.Trace($"Probe of '{features[k]}' trained on {labels.Length} rows.");
        }
        return new LayerProbeTransformer(_host, _options.LabelColumnName, probes);
    }

    private LinearProbe Train(string column, List<float[]> rows, bool[] labels) =>
        LinearProbe.Train(column, rows, labels, _options.L2Regularization, _options.MaximumNumberOfIterations, _options.Standardize);
}
