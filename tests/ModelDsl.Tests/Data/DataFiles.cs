using System.Collections.Generic;
using System.IO;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Serialization;

namespace ModelDsl.Tests.Data;

/// <summary>Writes test files with the libraries' own writers, so the readers are checked against independent encoders.</summary>
internal static class DataFiles
{
    /// <summary>Writes samples with Sep's writer; its columns are in another order than <see cref="DataSample.Columns"/>.</summary>
    public static void WriteCsv(string path, IEnumerable<DataSample> samples, char separator = ',', char arraySeparator = '|')
    {
        using SepWriter writer = Sep.New(separator).Writer(o => o with { Escape = true }).ToFile(path);
        foreach (DataSample s in samples)
        {
            using SepWriter.Row row = writer.NewRow();
            row["Unused"].Format(s.Unused);
            row["Name"].Set(s.Name);
            row["Click"].Set(s.Click ? "1" : "0");
            row["Price"].Format(s.Price);
            row["user_id"].Format(s.UserId);
            row["Score"].Format(s.Score);
            row["ItemId"].Format(s.ItemId);
            row["Recent"].Set(DataSample.Join(s.Recent, arraySeparator));
            row["Tags"].Set(DataSample.Join(s.Tags, arraySeparator));
            row["Weights"].Set(DataSample.Join(s.Weights, arraySeparator));
            row["Embedding"].Set(DataSample.Join(s.Embedding, arraySeparator));
            row["Words"].Set(string.Join(arraySeparator, s.Words));
        }
    }

    /// <summary>Writes objects with Parquet.Net's serializer, <paramref name="rowGroupSize"/> rows per row group.</summary>
    public static void WriteParquet<T>(string path, IEnumerable<T> rows, int? rowGroupSize = null)
    {
        using FileStream stream = File.Create(path);
        ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { RowGroupSize = rowGroupSize }).GetAwaiter().GetResult();
    }
}
