using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Tests.Probing;
using Megalodon.ML.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Transforms;

/// <summary>All output columns of a row come from one model computation, in PredictionEngine and in row-by-row cursors.</summary>
[TestClass]
public sealed class OneComputationPerRowTests
{
    public sealed class LanguageModelPrediction
    {
        public float NegativeLogLikelihood { get; set; }
        public float Perplexity { get; set; }
        [VectorType(16)] public float[] Embedding { get; set; } = [];
    }

    public sealed class TwoLayerPrediction
    {
        [VectorType(16)] public float[] Layer0 { get; set; } = [];
        [VectorType(16)] public float[] Layer1 { get; set; } = [];
    }

    [TestMethod]
    public void PredictionEngineRunsTheLanguageModelOncePerPredict()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        var engine = ml.Model.CreatePredictionEngine<PretrainTestData.TextRow, LanguageModelPrediction>(lm);
        long before = lm.Model.ForwardCalls;
        var first = engine.Predict(new PretrainTestData.TextRow { Text = "The sea is deep." });
        Assert.AreEqual(1, lm.Model.ForwardCalls - before, "three output columns, one forward pass");
        engine.Predict(new PretrainTestData.TextRow { Text = "A dry desert." });
        Assert.AreEqual(2, lm.Model.ForwardCalls - before, "the next row computes again");
        Assert.AreEqual(Math.Exp(first.NegativeLogLikelihood), first.Perplexity, 1e-3 * first.Perplexity, "the columns come from the same score");
    }

    [TestMethod]
    public void PredictionEngineReadsAllLayerColumnsFromOneForwardPass()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        using var layers = ml.Transforms.Megalodon().LayerActivations(lm).Fit(PretrainTestData.TextData(ml));
        var engine = ml.Model.CreatePredictionEngine<PretrainTestData.TextRow, TwoLayerPrediction>(layers);
        long before = lm.Model.ForwardCalls;
        var prediction = engine.Predict(new PretrainTestData.TextRow { Text = "Waves break on the shore." });
        Assert.AreEqual(1, lm.Model.ForwardCalls - before, "two layer columns, one forward pass");
        CollectionAssert.AreNotEqual(prediction.Layer0, prediction.Layer1);
    }

    [TestMethod]
    public void RowToRowCursorComputesEachRowOnce()
    {
        var ml = new MLContext(seed: 1);
        using var lm = ProbingTestData.TinyModel(ml);
        // The row mapper (what PredictionEngine and row-to-row consumers use), over a cursor of several rows.
        var data = PretrainTestData.TextData(ml);
        var mapper = ((ITransformer)lm).GetRowToRowMapper(data.Schema);
        using var cursor = data.GetRowCursor(data.Schema);
        using var row = mapper.GetRow(cursor, mapper.OutputSchema.Where(c => c.Index >= data.Schema.Count));
        var nll = row.GetGetter<float>(row.Schema["NegativeLogLikelihood"]);
        var perplexity = row.GetGetter<float>(row.Schema["Perplexity"]);
        var embedding = row.GetGetter<VBuffer<float>>(row.Schema["Embedding"]);
        long before = lm.Model.ForwardCalls;
        int rows = 0;
        while (cursor.MoveNext())
        {
            float a = 0, b = 0;
            VBuffer<float> e = default;
            nll(ref a);
            perplexity(ref b);
            embedding(ref e);
            nll(ref a);
            rows++;
        }
        Assert.AreEqual(PretrainTestData.Documents.Length, rows);
        Assert.AreEqual(rows, lm.Model.ForwardCalls - before, "one forward pass per row whatever the columns read");
    }
}
