using Megalodon.ML.Transforms.Probing;
using Megalodon.Reports;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Probing;

[TestClass]
public sealed class CheckpointLayerTableTests
{
    private static CheckpointLayerTable Table(bool complete = true)
    {
        var table = new CheckpointLayerTable();
        foreach (long step in new long[] { 10, 0 })
            foreach (int layer in new[] { 1, 0 })
                if (complete || step != 10 || layer != 1)
                    table.Add(new CheckpointLayerRow { Dataset = "set", Checkpoint = $"step-{step:D6}", Step = step, Layer = layer, Accuracy = 0.5 + step / 100.0 + layer / 10.0, Auc = 0.6 });
        return table;
    }

    [TestMethod]
    public void HeatmapRowsAreStepsInOrderAndColumnsLayers()
    {
        var heatmap = Table().Heatmap("set", r => r.Accuracy, "accuracy");
        Assert.AreEqual(2, heatmap.Rows);
        Assert.AreEqual(2, heatmap.Columns);
        CollectionAssert.AreEqual(new[] { "0", "10" }, heatmap.RowLabels!.ToArray());
        Assert.AreEqual(0.5, heatmap[0, 0], 1e-12);
        Assert.AreEqual(0.7, heatmap[1, 1], 1e-12);
    }

    [TestMethod]
    public void AMissingCellIsNamed()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Table(complete: false).Heatmap("set", r => r.Accuracy, "accuracy"));
        Assert.Contains("no result for step 10, layer 1", ex.Message);
    }

    [TestMethod]
    public void TheTableIsADataViewAndACsv()
    {
        var table = Table();
        var view = table.ToDataView(new MLContext(seed: 1));
        CollectionAssert.AreEqual(new[] { 0.7, 0.6, 0.6, 0.5 }, view.GetColumn<double>(nameof(CheckpointLayerRow.Accuracy)).Select(v => Math.Round(v, 6)).ToArray());
        var csv = table.ToCsv();
        Assert.HasCount(4, csv.Rows);
        Assert.AreEqual("step-000010", csv.Get(0, "checkpoint"));
        Assert.IsTrue(double.IsNaN(csv.GetDouble(0, "i_xt")));
    }
}
