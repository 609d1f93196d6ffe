using Megalodon.ML.Probing;
using Microsoft.ML;

namespace Megalodon.ML.Transforms.Probing;

/// <summary>One cell of a checkpoint × layer table: a probe's held-out quality and the information terms.</summary>
public sealed class CheckpointLayerRow
{
    /// <summary>The probing data set (e.g. <c>stereoset</c>).</summary>
    public string Dataset { get; set; } = "";
    /// <summary>The checkpoint's name (its folder, e.g. <c>step-000100</c>).</summary>
    public string Checkpoint { get; set; } = "";
    /// <summary>The checkpoint's training step.</summary>
    public long Step { get; set; }
    /// <summary>The layer (0-based).</summary>
    public int Layer { get; set; }
    /// <summary>Held-out probe accuracy.</summary>
    public double Accuracy { get; set; }
    /// <summary>Held-out probe AUC.</summary>
    public double Auc { get; set; }
    /// <summary>Held-out accuracy of the control probe trained on shuffled training labels.</summary>
    public double ShuffledAccuracy { get; set; } = double.NaN;
    /// <summary>Held-out accuracy of the training split's majority class.</summary>
    public double MajorityAccuracy { get; set; } = double.NaN;
    /// <summary>nHSIC estimate of I(X;T); NaN when not measured.</summary>
    public double InputInformation { get; set; } = double.NaN;
    /// <summary>nHSIC estimate of I(Y;T); NaN when not measured.</summary>
    public double LabelInformation { get; set; } = double.NaN;
    /// <summary>The control I(Y';T) with shuffled labels; NaN when not measured.</summary>
    public double ShuffledLabelInformation { get; set; } = double.NaN;
}

/// <summary>
/// Probe results across checkpoints and layers, as rows and as an <see cref="IDataView"/>. (Its CSV table, heatmaps and
/// information curves are drawn outside the library, by the report project.)
/// </summary>
public sealed class CheckpointLayerTable
{
    private readonly List<CheckpointLayerRow> _rows = [];

    /// <summary>The rows, in the order added.</summary>
    public IReadOnlyList<CheckpointLayerRow> Rows => _rows;

    /// <summary>Adds a row.</summary>
    public void Add(CheckpointLayerRow row) => _rows.Add(row ?? throw new ArgumentNullException(nameof(row)));

    /// <summary>
    /// Probes every activation column of <paramref name="activations"/> on one labelled data set and adds a row per
    /// network and layer: probes and nHSIC terms are fitted on the first <paramref name="trainRows"/> rows (the
    /// paper's file-order split) and accuracy and AUC measured on the rest, beside the shuffled-label and
    /// majority-class controls.
    /// </summary>
    /// <param name="mlContext">For the data operations and the probes.</param>
    /// <param name="activations">The fitted activation transform (one or more networks; layer 0 must be among its layers for the information terms).</param>
    /// <param name="dataset">The data set's name in the table.</param>
    /// <param name="data">Texts (the transform's text column) with a Boolean <paramref name="labelColumnName"/>.</param>
    /// <param name="trainRows">Leading rows that train; the rest test.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="informationRows">Training rows used by the nHSIC estimates (a seeded subset); 0 skips them.</param>
    /// <param name="seed">Seed of that subset.</param>
    /// <exception cref="ArgumentException">Bad columns, or a split that leaves no training or test rows.</exception>
    public void AddProbes(MLContext mlContext, LayerActivationsTransformer activations, string dataset, IDataView data, long trainRows,
        string labelColumnName = "Label", int informationRows = 512, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(activations);
        if (trainRows <= 0) throw new ArgumentOutOfRangeException(nameof(trainRows), trainRows, "The training split needs rows.");
        var columns = activations.Columns.Select(c => c.Name).ToList();
        var cached = mlContext.Data.Cache(activations.Transform(data), [.. columns, labelColumnName]);
        var (labels, values) = ProbeColumns.Read(cached, labelColumnName, columns);
        if (trainRows >= labels.Length) throw new ArgumentOutOfRangeException(nameof(trainRows), trainRows, $"The data has {labels.Length} rows: the split leaves no test rows.");
        var isTrain = Enumerable.Range(0, labels.Length).Select(i => i < trainRows).ToArray();
        var information = new InformationTerms[columns.Count];
        Array.Fill(information, InformationTerms.Missing);
        if (informationRows > 0)
        {
            var trainLabels = labels.Take((int)trainRows).ToList();
            // Each network has its own layer 0: measure network by network.
            foreach (var network in activations.Columns.Select(c => c.Network).Distinct())
            {
                var indices = Enumerable.Range(0, columns.Count).Where(k => activations.Columns[k].Network == network).ToList();
                var measured = InformationPlane.Measure(new LayerActivations(indices.Select(k => activations.Columns[k].Layer).ToList(),
                    indices.Select(k => values[k].Take((int)trainRows).ToArray()).ToList()), trainLabels, informationRows, seed);
                for (int i = 0; i < indices.Count; i++) information[indices[i]] = measured[i];
            }
        }
        for (int k = 0; k < columns.Count; k++)
        {
            var column = activations.Columns[k];
            var probe = SplitProbe.Evaluate(column.Name, values[k], labels, isTrain, seed);
            Add(new CheckpointLayerRow
            {
                Dataset = dataset, Checkpoint = column.Network, Step = column.Step ?? -1, Layer = column.Layer,
                Accuracy = probe.Accuracy, Auc = probe.Auc, ShuffledAccuracy = probe.ShuffledAccuracy, MajorityAccuracy = probe.MajorityAccuracy,
                InputInformation = information[k].InputInformation, LabelInformation = information[k].LabelInformation,
                ShuffledLabelInformation = information[k].ShuffledLabelInformation,
            });
        }
    }

    /// <summary>The rows as a data view (one column per property).</summary>
    public IDataView ToDataView(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return mlContext.Data.LoadFromEnumerable(_rows.ToList());
    }
}
