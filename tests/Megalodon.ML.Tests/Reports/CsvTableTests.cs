using Megalodon.Reports;

namespace Megalodon.ML.Tests.Reports;

[TestClass]
public sealed class CsvTableTests
{
    [TestMethod]
    public void RoundTripsCommasQuotesNewlinesAndDoubles()
    {
        var table = new CsvTable(["name", "note", "value"]);
        table.AddRow("plain", "a, b", 1.5);
        table.AddRow("quote \"q\"", "line1\nline2\r\nline3", double.NaN);
        table.AddRow("", null, 0.1 + 0.2);
        table.AddRow("neg", "\"", -1e-300);
        table.AddRow("int", "x", 65536);
        var path = Path.Combine(Path.GetTempPath(), $"megalodon-csv-{Guid.NewGuid():N}.csv");
        try
        {
            table.Save(path);
            var back = CsvTable.Load(path);
            CollectionAssert.AreEqual(new[] { "name", "note", "value" }, back.Header.ToArray());
            Assert.HasCount(5, back.Rows);
            for (var r = 0; r < table.Rows.Count; r++)
                CollectionAssert.AreEqual(table.Rows[r].ToArray(), back.Rows[r].ToArray(), $"row {r}");
            Assert.AreEqual("line1\nline2\r\nline3", back.Get(1, "note"));
            Assert.AreEqual(0.1 + 0.2, back.GetDouble(2, "value")); // exact round trip
            Assert.IsTrue(double.IsNaN(back.GetDouble(1, "value")));
            Assert.AreEqual(65536, back.GetDouble(4, "value"));
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void WritesRfc4180Text()
    {
        var table = new CsvTable(["a", "b"]);
        table.AddRow("x,y", "say \"hi\"");
        table.AddRow(2.5, "");
        Assert.AreEqual("a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n2.5,\r\n", table.ToCsv());
    }

    [TestMethod]
    public void NumbersUseTheInvariantCultureWhateverTheCurrentCulture()
    {
        var saved = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var table = new CsvTable(["v"]).AddRow(1234.5);
            Assert.AreEqual("v\r\n1234.5\r\n", table.ToCsv());
        }
        finally { Thread.CurrentThread.CurrentCulture = saved; }
    }

    [TestMethod]
    public void ParsesLfLineEndsMissingFinalNewlineAndEmptyFields()
    {
        var table = CsvTable.Parse("a,b,c\n1,,\"3\"\n,,");
        Assert.HasCount(2, table.Rows);
        CollectionAssert.AreEqual(new[] { "1", "", "3" }, table.Rows[0].ToArray());
        CollectionAssert.AreEqual(new[] { "", "", "" }, table.Rows[1].ToArray());
    }

    [TestMethod]
    public void SingleColumnEmptyCellSurvivesTheRoundTrip()
    {
        var table = new CsvTable(["only"]).AddRow("").AddRow("x");
        var back = CsvTable.Parse(table.ToCsv());
        Assert.HasCount(2, back.Rows);
        Assert.AreEqual("", back.Rows[0][0]);
    }

    [TestMethod]
    public void RowLengthMismatchThrowsNamingTheCounts()
    {
        var table = new CsvTable(["a", "b"]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => table.AddRow("1"));
        StringAssert.Contains(ex.Message, "1 cells but the header has 2 columns");
        var fx = Assert.ThrowsExactly<FormatException>(() => CsvTable.Parse("a,b\n1,2,3\n"));
        StringAssert.Contains(fx.Message, "3 cells");
    }

    [TestMethod]
    public void MalformedQuotingThrowsFormatException()
    {
        Assert.ThrowsExactly<FormatException>(() => CsvTable.Parse("a\n\"open"));
        Assert.ThrowsExactly<FormatException>(() => CsvTable.Parse("a\n\"x\"y"));
    }

    [TestMethod]
    public void UnknownColumnNamesTheColumn()
    {
        var table = new CsvTable(["a"]).AddRow("1");
        var ex = Assert.ThrowsExactly<ArgumentException>(() => table.Get(0, "zz"));
        StringAssert.Contains(ex.Message, "'zz'");
    }
}
