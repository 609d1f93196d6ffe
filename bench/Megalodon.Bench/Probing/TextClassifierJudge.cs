using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Megalodon.Bench.Probing;

/// <summary>
/// The separate judge of steered generations: a stock ML.NET text classifier (FeaturizeText, then
/// SdcaLogisticRegression) trained on the labelled training texts. It never sees the language model, so a change in
/// its scores comes from the generated text, not from the representation the steering shifted.
/// </summary>
internal sealed class TextClassifierJudge
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;

    private TextClassifierJudge(MLContext ml, ITransformer model)
    {
        _ml = ml;
        _model = model;
    }

    /// <summary>Trains the classifier on <paramref name="texts"/> and their labels.</summary>
    /// <param name="texts">Training texts.</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="seed">Seed of its own context, so a set's judge does not depend on which sets were judged before it (a resumed run gives the same judge).</param>
    public static TextClassifierJudge Train(IReadOnlyList<string> texts, IReadOnlyList<bool> labels, int seed)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(texts.Select((t, i) => new Row { Text = t, Label = labels[i] }).ToList());
        var pipeline = ml.Transforms.Text.FeaturizeText("Features", nameof(Row.Text))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = nameof(Row.Label),
                FeatureColumnName = "Features",
                // One thread: SDCA's result then does not depend on thread timing.
                NumberOfThreads = 1,
            }));
        return new TextClassifierJudge(ml, pipeline.Fit(data));
    }

    /// <summary>The classifier's probability of label true for each text.</summary>
    public float[] Probabilities(IReadOnlyList<string> texts)
    {
        var data = _ml.Data.LoadFromEnumerable(texts.Select(t => new Row { Text = t }).ToList());
        return _model.Transform(data).GetColumn<float>("Probability").ToArray();
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }
}
