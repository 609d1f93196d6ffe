using Megalodon.ML.Native;
using TorchSharp;

namespace Megalodon.ML.Tests;

[TestClass]
public sealed class NativeLoaderTests
{
    [TestMethod]
    public void TorchSharpLoadsAndComputes()
    {
        using var a = torch.ones(2, 3);
        using var b = a.sum();
        Assert.AreEqual(6f, b.item<float>());
    }

    /// <summary>The pristine TorchSharp native library from the NuGet cache (the test output's copy may already be patched).</summary>
    private static string PristineTorchSharpNative()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path)) Assert.Inconclusive($"TorchSharp's native library is not in the NuGet cache at {path}.");
        return path;
    }

    [TestMethod]
    public void PatcherWeakensExactlyTheUnneededVersionNeed()
    {
        byte[] original = File.ReadAllBytes(PristineTorchSharpNative());
        var before = ElfVersionNeedPatcher.ReadVersionNeeds(original);
        var target = before.Single(n => n.Version == TorchNativeLoader.UnneededGlibcxxVersion);
        Assert.AreEqual("libstdc++.so.6", target.File);
        Assert.IsFalse(target.IsWeak, "TorchSharp 0.107 ships the need as strong; the patch exists because of that");

        byte[] patched = (byte[])original.Clone();
        Assert.IsTrue(ElfVersionNeedPatcher.MakeVersionNeedWeak(patched, TorchNativeLoader.UnneededGlibcxxVersion));
        var after = ElfVersionNeedPatcher.ReadVersionNeeds(patched);
        Assert.IsTrue(after.Single(n => n.Version == TorchNativeLoader.UnneededGlibcxxVersion).IsWeak);
        Assert.IsTrue(after.Where(n => n.Version != TorchNativeLoader.UnneededGlibcxxVersion).All(n => !n.IsWeak), "no other need changes");
        int changedBytes = original.Zip(patched).Count(p => p.First != p.Second);
        Assert.AreEqual(1, changedBytes, "one flag byte, nothing else");
        Assert.IsFalse(ElfVersionNeedPatcher.MakeVersionNeedWeak(patched, TorchNativeLoader.UnneededGlibcxxVersion), "patching twice changes nothing");
    }

    [TestMethod]
    public void PatchingAFileReplacesItAtomically()
    {
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(PristineTorchSharpNative(), copy);
        try
        {
            Assert.IsTrue(ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, TorchNativeLoader.UnneededGlibcxxVersion));
            Assert.IsTrue(ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(copy)).Single(n => n.Version == TorchNativeLoader.UnneededGlibcxxVersion).IsWeak);
            Assert.IsEmpty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(copy) + ".*.tmp"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [TestMethod]
    public void RejectsNonElfInput()
    {
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(new byte[100])).Message, "Not an ELF");
        byte[] truncated = File.ReadAllBytes(PristineTorchSharpNative())[..4096];
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeedPatcher.ReadVersionNeeds(truncated));
    }

    [TestMethod]
    public void SystemVersionCheckSeesWhatTheLoaderSees()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("libstdc++ symbol versions are a Linux matter.");
        // The symbol TorchSharp binds exists at 3.4.32 only: never at a made-up version.
        Assert.IsFalse(TorchNativeLoader.SystemLibStdCxxHas("GLIBCXX_3.4.999"));
        // The decision matches the machine: patch only where the version is missing.
        StringAssert.Contains(TorchNativeLoader.Report ?? "", TorchNativeLoader.SystemLibStdCxxHas(TorchNativeLoader.UnneededGlibcxxVersion) ? "nothing to do" : "libLibTorchSharp.so");
    }
}
