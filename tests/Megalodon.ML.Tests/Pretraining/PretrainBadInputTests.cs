using Megalodon.ML.Transforms;
using Microsoft.ML;
using static Megalodon.ML.Tests.Pretraining.PretrainTestData;

namespace Megalodon.ML.Tests.Pretraining;

/// <summary>Every bad input gets an error that names the problem (and the column).</summary>
[TestClass]
public sealed class PretrainBadInputTests
{
    private static Exception FitError(IDataView data, Action<Megalodon.ML.Transforms.Pretraining.MegalodonPretrainEstimator.Options>? change = null)
    {
        var options = Options();
        change?.Invoke(options);
        var ml = new MLContext(seed: 1);
        return Assert.Throws<Exception>(() => ml.Transforms.Megalodon().Pretrain(options).Fit(data));
    }

    [TestMethod]
    public void MissingColumn()
    {
        var error = FitError(TextData(new MLContext()), o => o.TextColumnName = "Body");
        StringAssert.Contains(error.Message, "Body");
    }

    [TestMethod]
    public void NonTextColumn()
    {
        var data = new MLContext().Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1f } });
        var error = FitError(data);
        StringAssert.Contains(error.Message, "Text");
        StringAssert.Contains(error.Message, "Single");
    }

    [TestMethod]
    public void EmptyText()
    {
        var error = FitError(TextData(new MLContext(), ["fine text here", ""]));
        StringAssert.Contains(error.Message, "Column 'Text'");
        StringAssert.Contains(error.Message, "row 1");
    }

    [TestMethod]
    public void WhitespaceText()
    {
        var error = FitError(TextData(new MLContext(), [" \t\n "]));
        StringAssert.Contains(error.Message, "empty or only whitespace at row 0");
    }

    [TestMethod]
    public void ZeroRows()
    {
        var error = FitError(TextData(new MLContext(), []));
        StringAssert.Contains(error.Message, "no rows");
        StringAssert.Contains(error.Message, "'Text'");
    }

    [TestMethod]
    public void TooLittleText()
    {
        var error = FitError(TextData(new MLContext(), ["short"]), o => o.ValidationFraction = 0);
        StringAssert.Contains(error.Message, "fewer than one window");
    }

    [TestMethod]
    public void IllegalSequenceLength()
    {
        var error = FitError(TextData(new MLContext()), o => o.SequenceLength = 20);
        StringAssert.Contains(error.Message, "chunk_size");
    }

    [TestMethod]
    public void NoTrainingLength()
    {
        var error = FitError(TextData(new MLContext()), o => o.MaxSteps = null);
        StringAssert.Contains(error.Message, "MaxSteps or TokenBudget");
    }

    [TestMethod]
    public void ResumeWithoutCheckpoints()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"megalodon-empty-{Guid.NewGuid():N}");
        try
        {
            var error = FitError(TextData(new MLContext()), o => { o.CheckpointFolder = folder; o.ResumeFromCheckpoint = true; });
            StringAssert.Contains(error.Message, "holds no checkpoint");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }
}
