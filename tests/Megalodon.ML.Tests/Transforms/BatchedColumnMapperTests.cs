using Megalodon.ML.Transforms.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Tests.Transforms;

[TestClass]
public sealed class BatchedColumnMapperTests
{
    private sealed class Row { public string Text { get; set; } = ""; public int Id { get; set; } }

    [TestMethod]
    public void ComputesInBatchesAndPassesColumnsThrough()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(i => new Row { Text = new string('x', i), Id = i }));
        var batchSizes = new List<int>();
        var mapper = new BatchedColumnMapper<ReadOnlyMemory<char>, int>("Text",
            [BatchedOutputColumn<int>.Create<float>("Length", NumberDataViewType.Single, (int r, ref float v) => v = r)],
            inputs => { batchSizes.Add(inputs.Count); return inputs.Select(t => t.Length).ToList(); },
            batchSize: 4);
        var view = mapper.Apply(data);
        Assert.IsEmpty(batchSizes, "nothing is computed before a cursor asks");

        var lengths = view.GetColumn<float>("Length").ToArray();
        var ids = view.GetColumn<int>("Id").ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), lengths);
        CollectionAssert.AreEqual(Enumerable.Range(0, 10).ToArray(), ids);
        CollectionAssert.AreEqual(new[] { 4, 4, 2 }, batchSizes.ToArray());

        batchSizes.Clear();
        _ = view.GetColumn<int>("Id").ToArray();
        Assert.IsEmpty(batchSizes, "reading only pass-through columns computes nothing");
    }

    [TestMethod]
    public void RejectsAMissingOrMistypedInputColumn()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Text = "a", Id = 1 } });
        var onText = new BatchedColumnMapper<ReadOnlyMemory<char>, int>("Nope", [], x => x.Select(_ => 0).ToList(), 2);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => onText.Apply(data)).Message, "'Nope' not found");
        var onId = new BatchedColumnMapper<ReadOnlyMemory<char>, int>("Id", [], x => x.Select(_ => 0).ToList(), 2);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => onId.Apply(data)).Message, "'Id' has type");
    }
}
