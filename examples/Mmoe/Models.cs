using ModelDsl;

namespace MmoeSynthetic;

// The MMoE paper's §5.1 models over the same 100 inputs and two regression tasks, each task with a tower
// of one 8-unit layer. Parameter counts (weights and biases): MMoE 14,834, OMoE 14,026, Shared-Bottom
// 14,776 (117·units + 34 with 126 units, the width that comes closest to MMoE's count).
// The inputs are expression-bodied so a sample holds one array instead of 100 fields.

/// <summary>MMoE: 8 experts of one 16-unit ReLU layer, one softmax gate per task.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 8, ExpertUnits = new[] { 16 })]
public partial class SyntheticMmoe
{
    /// <summary>The d = 100 inputs; the generator reads them through X0 … X99.</summary>
    public required float[] X { get; init; }

    [Numeric] public float X0 => X[0]; [Numeric] public float X1 => X[1]; [Numeric] public float X2 => X[2]; [Numeric] public float X3 => X[3]; [Numeric] public float X4 => X[4]; [Numeric] public float X5 => X[5]; [Numeric] public float X6 => X[6]; [Numeric] public float X7 => X[7]; [Numeric] public float X8 => X[8]; [Numeric] public float X9 => X[9];
    [Numeric] public float X10 => X[10]; [Numeric] public float X11 => X[11]; [Numeric] public float X12 => X[12]; [Numeric] public float X13 => X[13]; [Numeric] public float X14 => X[14]; [Numeric] public float X15 => X[15]; [Numeric] public float X16 => X[16]; [Numeric] public float X17 => X[17]; [Numeric] public float X18 => X[18]; [Numeric] public float X19 => X[19];
    [Numeric] public float X20 => X[20]; [Numeric] public float X21 => X[21]; [Numeric] public float X22 => X[22]; [Numeric] public float X23 => X[23]; [Numeric] public float X24 => X[24]; [Numeric] public float X25 => X[25]; [Numeric] public float X26 => X[26]; [Numeric] public float X27 => X[27]; [Numeric] public float X28 => X[28]; [Numeric] public float X29 => X[29];
    [Numeric] public float X30 => X[30]; [Numeric] public float X31 => X[31]; [Numeric] public float X32 => X[32]; [Numeric] public float X33 => X[33]; [Numeric] public float X34 => X[34]; [Numeric] public float X35 => X[35]; [Numeric] public float X36 => X[36]; [Numeric] public float X37 => X[37]; [Numeric] public float X38 => X[38]; [Numeric] public float X39 => X[39];
    [Numeric] public float X40 => X[40]; [Numeric] public float X41 => X[41]; [Numeric] public float X42 => X[42]; [Numeric] public float X43 => X[43]; [Numeric] public float X44 => X[44]; [Numeric] public float X45 => X[45]; [Numeric] public float X46 => X[46]; [Numeric] public float X47 => X[47]; [Numeric] public float X48 => X[48]; [Numeric] public float X49 => X[49];
    [Numeric] public float X50 => X[50]; [Numeric] public float X51 => X[51]; [Numeric] public float X52 => X[52]; [Numeric] public float X53 => X[53]; [Numeric] public float X54 => X[54]; [Numeric] public float X55 => X[55]; [Numeric] public float X56 => X[56]; [Numeric] public float X57 => X[57]; [Numeric] public float X58 => X[58]; [Numeric] public float X59 => X[59];
    [Numeric] public float X60 => X[60]; [Numeric] public float X61 => X[61]; [Numeric] public float X62 => X[62]; [Numeric] public float X63 => X[63]; [Numeric] public float X64 => X[64]; [Numeric] public float X65 => X[65]; [Numeric] public float X66 => X[66]; [Numeric] public float X67 => X[67]; [Numeric] public float X68 => X[68]; [Numeric] public float X69 => X[69];
    [Numeric] public float X70 => X[70]; [Numeric] public float X71 => X[71]; [Numeric] public float X72 => X[72]; [Numeric] public float X73 => X[73]; [Numeric] public float X74 => X[74]; [Numeric] public float X75 => X[75]; [Numeric] public float X76 => X[76]; [Numeric] public float X77 => X[77]; [Numeric] public float X78 => X[78]; [Numeric] public float X79 => X[79];
    [Numeric] public float X80 => X[80]; [Numeric] public float X81 => X[81]; [Numeric] public float X82 => X[82]; [Numeric] public float X83 => X[83]; [Numeric] public float X84 => X[84]; [Numeric] public float X85 => X[85]; [Numeric] public float X86 => X[86]; [Numeric] public float X87 => X[87]; [Numeric] public float X88 => X[88]; [Numeric] public float X89 => X[89];
    [Numeric] public float X90 => X[90]; [Numeric] public float X91 => X[91]; [Numeric] public float X92 => X[92]; [Numeric] public float X93 => X[93]; [Numeric] public float X94 => X[94]; [Numeric] public float X95 => X[95]; [Numeric] public float X96 => X[96]; [Numeric] public float X97 => X[97]; [Numeric] public float X98 => X[98]; [Numeric] public float X99 => X[99];

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>OMoE: the same experts under one gate shared by both tasks.</summary>
[MultiTaskModel]
[MixtureOfExperts(Experts = 8, ExpertUnits = new[] { 16 }, SharedGate = true)]
public partial class SyntheticOmoe
{
    /// <summary>The d = 100 inputs; the generator reads them through X0 … X99.</summary>
    public required float[] X { get; init; }

    [Numeric] public float X0 => X[0]; [Numeric] public float X1 => X[1]; [Numeric] public float X2 => X[2]; [Numeric] public float X3 => X[3]; [Numeric] public float X4 => X[4]; [Numeric] public float X5 => X[5]; [Numeric] public float X6 => X[6]; [Numeric] public float X7 => X[7]; [Numeric] public float X8 => X[8]; [Numeric] public float X9 => X[9];
    [Numeric] public float X10 => X[10]; [Numeric] public float X11 => X[11]; [Numeric] public float X12 => X[12]; [Numeric] public float X13 => X[13]; [Numeric] public float X14 => X[14]; [Numeric] public float X15 => X[15]; [Numeric] public float X16 => X[16]; [Numeric] public float X17 => X[17]; [Numeric] public float X18 => X[18]; [Numeric] public float X19 => X[19];
    [Numeric] public float X20 => X[20]; [Numeric] public float X21 => X[21]; [Numeric] public float X22 => X[22]; [Numeric] public float X23 => X[23]; [Numeric] public float X24 => X[24]; [Numeric] public float X25 => X[25]; [Numeric] public float X26 => X[26]; [Numeric] public float X27 => X[27]; [Numeric] public float X28 => X[28]; [Numeric] public float X29 => X[29];
    [Numeric] public float X30 => X[30]; [Numeric] public float X31 => X[31]; [Numeric] public float X32 => X[32]; [Numeric] public float X33 => X[33]; [Numeric] public float X34 => X[34]; [Numeric] public float X35 => X[35]; [Numeric] public float X36 => X[36]; [Numeric] public float X37 => X[37]; [Numeric] public float X38 => X[38]; [Numeric] public float X39 => X[39];
    [Numeric] public float X40 => X[40]; [Numeric] public float X41 => X[41]; [Numeric] public float X42 => X[42]; [Numeric] public float X43 => X[43]; [Numeric] public float X44 => X[44]; [Numeric] public float X45 => X[45]; [Numeric] public float X46 => X[46]; [Numeric] public float X47 => X[47]; [Numeric] public float X48 => X[48]; [Numeric] public float X49 => X[49];
    [Numeric] public float X50 => X[50]; [Numeric] public float X51 => X[51]; [Numeric] public float X52 => X[52]; [Numeric] public float X53 => X[53]; [Numeric] public float X54 => X[54]; [Numeric] public float X55 => X[55]; [Numeric] public float X56 => X[56]; [Numeric] public float X57 => X[57]; [Numeric] public float X58 => X[58]; [Numeric] public float X59 => X[59];
    [Numeric] public float X60 => X[60]; [Numeric] public float X61 => X[61]; [Numeric] public float X62 => X[62]; [Numeric] public float X63 => X[63]; [Numeric] public float X64 => X[64]; [Numeric] public float X65 => X[65]; [Numeric] public float X66 => X[66]; [Numeric] public float X67 => X[67]; [Numeric] public float X68 => X[68]; [Numeric] public float X69 => X[69];
    [Numeric] public float X70 => X[70]; [Numeric] public float X71 => X[71]; [Numeric] public float X72 => X[72]; [Numeric] public float X73 => X[73]; [Numeric] public float X74 => X[74]; [Numeric] public float X75 => X[75]; [Numeric] public float X76 => X[76]; [Numeric] public float X77 => X[77]; [Numeric] public float X78 => X[78]; [Numeric] public float X79 => X[79];
    [Numeric] public float X80 => X[80]; [Numeric] public float X81 => X[81]; [Numeric] public float X82 => X[82]; [Numeric] public float X83 => X[83]; [Numeric] public float X84 => X[84]; [Numeric] public float X85 => X[85]; [Numeric] public float X86 => X[86]; [Numeric] public float X87 => X[87]; [Numeric] public float X88 => X[88]; [Numeric] public float X89 => X[89];
    [Numeric] public float X90 => X[90]; [Numeric] public float X91 => X[91]; [Numeric] public float X92 => X[92]; [Numeric] public float X93 => X[93]; [Numeric] public float X94 => X[94]; [Numeric] public float X95 => X[95]; [Numeric] public float X96 => X[96]; [Numeric] public float X97 => X[97]; [Numeric] public float X98 => X[98]; [Numeric] public float X99 => X[99];

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}

/// <summary>Shared-Bottom: one shared ReLU layer, widened to MMoE's parameter count.</summary>
[MultiTaskModel]
[SharedBottom(126)]
public partial class SyntheticSharedBottom
{
    /// <summary>The d = 100 inputs; the generator reads them through X0 … X99.</summary>
    public required float[] X { get; init; }

    [Numeric] public float X0 => X[0]; [Numeric] public float X1 => X[1]; [Numeric] public float X2 => X[2]; [Numeric] public float X3 => X[3]; [Numeric] public float X4 => X[4]; [Numeric] public float X5 => X[5]; [Numeric] public float X6 => X[6]; [Numeric] public float X7 => X[7]; [Numeric] public float X8 => X[8]; [Numeric] public float X9 => X[9];
    [Numeric] public float X10 => X[10]; [Numeric] public float X11 => X[11]; [Numeric] public float X12 => X[12]; [Numeric] public float X13 => X[13]; [Numeric] public float X14 => X[14]; [Numeric] public float X15 => X[15]; [Numeric] public float X16 => X[16]; [Numeric] public float X17 => X[17]; [Numeric] public float X18 => X[18]; [Numeric] public float X19 => X[19];
    [Numeric] public float X20 => X[20]; [Numeric] public float X21 => X[21]; [Numeric] public float X22 => X[22]; [Numeric] public float X23 => X[23]; [Numeric] public float X24 => X[24]; [Numeric] public float X25 => X[25]; [Numeric] public float X26 => X[26]; [Numeric] public float X27 => X[27]; [Numeric] public float X28 => X[28]; [Numeric] public float X29 => X[29];
    [Numeric] public float X30 => X[30]; [Numeric] public float X31 => X[31]; [Numeric] public float X32 => X[32]; [Numeric] public float X33 => X[33]; [Numeric] public float X34 => X[34]; [Numeric] public float X35 => X[35]; [Numeric] public float X36 => X[36]; [Numeric] public float X37 => X[37]; [Numeric] public float X38 => X[38]; [Numeric] public float X39 => X[39];
    [Numeric] public float X40 => X[40]; [Numeric] public float X41 => X[41]; [Numeric] public float X42 => X[42]; [Numeric] public float X43 => X[43]; [Numeric] public float X44 => X[44]; [Numeric] public float X45 => X[45]; [Numeric] public float X46 => X[46]; [Numeric] public float X47 => X[47]; [Numeric] public float X48 => X[48]; [Numeric] public float X49 => X[49];
    [Numeric] public float X50 => X[50]; [Numeric] public float X51 => X[51]; [Numeric] public float X52 => X[52]; [Numeric] public float X53 => X[53]; [Numeric] public float X54 => X[54]; [Numeric] public float X55 => X[55]; [Numeric] public float X56 => X[56]; [Numeric] public float X57 => X[57]; [Numeric] public float X58 => X[58]; [Numeric] public float X59 => X[59];
    [Numeric] public float X60 => X[60]; [Numeric] public float X61 => X[61]; [Numeric] public float X62 => X[62]; [Numeric] public float X63 => X[63]; [Numeric] public float X64 => X[64]; [Numeric] public float X65 => X[65]; [Numeric] public float X66 => X[66]; [Numeric] public float X67 => X[67]; [Numeric] public float X68 => X[68]; [Numeric] public float X69 => X[69];
    [Numeric] public float X70 => X[70]; [Numeric] public float X71 => X[71]; [Numeric] public float X72 => X[72]; [Numeric] public float X73 => X[73]; [Numeric] public float X74 => X[74]; [Numeric] public float X75 => X[75]; [Numeric] public float X76 => X[76]; [Numeric] public float X77 => X[77]; [Numeric] public float X78 => X[78]; [Numeric] public float X79 => X[79];
    [Numeric] public float X80 => X[80]; [Numeric] public float X81 => X[81]; [Numeric] public float X82 => X[82]; [Numeric] public float X83 => X[83]; [Numeric] public float X84 => X[84]; [Numeric] public float X85 => X[85]; [Numeric] public float X86 => X[86]; [Numeric] public float X87 => X[87]; [Numeric] public float X88 => X[88]; [Numeric] public float X89 => X[89];
    [Numeric] public float X90 => X[90]; [Numeric] public float X91 => X[91]; [Numeric] public float X92 => X[92]; [Numeric] public float X93 => X[93]; [Numeric] public float X94 => X[94]; [Numeric] public float X95 => X[95]; [Numeric] public float X96 => X[96]; [Numeric] public float X97 => X[97]; [Numeric] public float X98 => X[98]; [Numeric] public float X99 => X[99];

    [RegressionTask(Tower = new[] { 8 })] public float Y1 { get; init; }
    [RegressionTask(Tower = new[] { 8 })] public float Y2 { get; init; }
}
