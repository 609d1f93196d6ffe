using Megalodon.ML.Generation;
using Megalodon.ML.Tests.Pretraining;
using Megalodon.ML.Tests.Probing;
using Megalodon.ML.Transforms;
using Microsoft.Extensions.AI;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Transforms;

/// <summary>After Model.Load, the language model inside the loaded chain generates, chats and embeds as before saving.</summary>
[TestClass]
public sealed class LanguageModelLookupTests
{
    [TestMethod]
    public void TheLanguageModelOfAReloadedPipelineGeneratesChatsAndEmbedsAsTheOriginal()
    {
        var ml = new MLContext(seed: 1);
        var data = PretrainTestData.TextData(ml);
        var pipeline = ml.Transforms.Megalodon().Pretrain(PretrainTestData.Options(steps: 2))
            .Append(ml.Transforms.CopyColumns("Features", "Embedding"));
        var fitted = pipeline.Fit(data);
        using var original = fitted.GetMegalodonLanguageModel();
        Assert.AreSame(original, fitted.First());
        using var stream = new MemoryStream();
        ml.Model.Save(fitted, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        using var lm = loaded.GetMegalodonLanguageModel();

        var greedy = new GenerationOptions { MaxTokens = 10, Temperature = 0 };
        Assert.AreEqual(original.Generate("The sea", greedy), lm.Generate("The sea", greedy));
        IChatClient chat = lm;
        var reply = chat.GetResponseAsync([new ChatMessage(ChatRole.User, "The sea")], new ChatOptions { MaxOutputTokens = 10, Temperature = 0 }).GetAwaiter().GetResult();
        Assert.AreEqual(original.Generate("The sea", greedy), reply.Text);
        IEmbeddingGenerator<string, Embedding<float>> embedder = lm;
        var embedding = embedder.GenerateAsync(["The sea is deep."]).GetAwaiter().GetResult()[0].Vector.ToArray();
        CollectionAssert.AreEqual(original.Score(["The sea is deep."])[0].Embedding, embedding);

        var notALanguageModel = ml.Transforms.CopyColumns("A", "Text").Fit(data);
        Assert.IsNull(notALanguageModel.FindMegalodonLanguageModel());
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => notALanguageModel.GetMegalodonLanguageModel());
        Assert.Contains("holds no Megalodon language model", ex.Message);
    }
}
