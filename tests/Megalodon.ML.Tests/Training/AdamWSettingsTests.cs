using Megalodon.ML.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace Megalodon.ML.Tests.Training;

[TestClass]
public sealed class AdamWSettingsTests
{
    [TestMethod]
    public void ReferenceDefaults()
    {
        var r = AdamWSettings.Reference;
        Assert.AreEqual(1e-3, r.LearningRate);
        Assert.AreEqual(0.9, r.Beta1);
        Assert.AreEqual(0.98, r.Beta2);
        Assert.AreEqual(1e-8, r.Epsilon);
        Assert.AreEqual(0.1, r.WeightDecay);
        Assert.AreEqual(1.0, r.GradientClipNorm);
    }

    [TestMethod]
    public void CreatesOneGroupOverAllParametersWithTheSettings()
    {
        using var model = TinyLanguageModel.Create(seed: 1);
        using var optimizer = AdamWSettings.Reference.Create(model);
        var group = optimizer.ParamGroups.Cast<AdamW.ParamGroup>().Single();
        Assert.AreEqual(model.parameters().Count(), group.Parameters.Count());
        Assert.AreEqual((0.9, 0.98), group.Betas);
        Assert.AreEqual(0.1, group.Options.weight_decay);
        Assert.AreEqual(1e-8, group.Options.eps);

        AdamWSettings.SetLearningRate(optimizer, 0.25);
        Assert.AreEqual(0.25, group.LearningRate);
    }

    [TestMethod]
    public void ClipsTheGlobalNorm()
    {
        using var model = TinyLanguageModel.Create(seed: 1);
        using var scope = torch.NewDisposeScope();
        var tokens = torch.tensor(new long[] { 1, 2, 3, 4 }).reshape(1, 4);
        var loss = model.call(tokens).sum() * 1000;
        loss.backward();
        var settings = AdamWSettings.Reference;
        var before = settings.ClipGradients(model.parameters());
        Assert.IsTrue(before > 1);
        var after = (settings with { GradientClipNorm = 0 }).ClipGradients(model.parameters());
        Assert.AreEqual(1.0, after, 1e-4);
    }
}
