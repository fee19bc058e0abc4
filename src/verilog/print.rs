//! The one pretty-printer for the Verilog AST: 4-space indentation, aligned port
//! lists, fully parenthesised operands, and nothing that varies between runs.

use super::ast::*;
use std::fmt::Write;

const INDENT: &str = "    ";

/// Prints a whole source file.
pub fn print_file(file: &File) -> String {
    let mut out = String::new();
    for line in &file.header {
        comment_line(&mut out, "", line);
    }
    out.push_str("\n`default_nettype none\n");
    for module in &file.modules {
        out.push('\n');
        print_module(&mut out, module);
    }
    out.push_str("\n`default_nettype wire\n");
    out
}

fn comment_line(out: &mut String, indent: &str, text: &str) {
    if text.is_empty() {
        let _ = writeln!(out, "{indent}//");
    } else {
        let _ = writeln!(out, "{indent}// {text}");
    }
}

fn range(width: Width) -> String {
    match width {
        Width::Scalar => String::new(),
        Width::Vector(n) => format!("[{}:0]", n - 1),
    }
}

fn print_module(out: &mut String, module: &Module) {
    for line in &module.doc {
        comment_line(out, "", line);
    }
    print_header(out, module);
    let ranges: Vec<String> = module.ports.iter().map(|p| range(p.width)).collect();
    let range_width = ranges.iter().map(String::len).max().unwrap_or(0);
    let name_width = module
        .ports
        .iter()
        .map(|p| p.name.0.len() + 1)
        .max()
        .unwrap_or(0);
    let any_signed = module.ports.iter().any(|p| p.signed);
    for (i, (port, range)) in module.ports.iter().zip(&ranges).enumerate() {
        let dir = match port.dir {
            Dir::Input => "input ",
            Dir::Output => "output",
        };
        let kind = match port.kind {
            NetKind::Wire => "wire",
            NetKind::Reg => "reg ",
        };
        let signed = match (any_signed, port.signed) {
            (false, _) => "",
            (true, true) => " signed",
            (true, false) => "       ",
        };
        let sep = if i + 1 < module.ports.len() { "," } else { "" };
        let name = format!("{}{sep}", port.name.0);
        let mut line =
            format!("{INDENT}{dir} {kind}{signed} {range:>range_width$} {name:<name_width$}");
        if let Some(c) = &port.comment {
            let _ = write!(line, " // {c}");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push_str(");\n");
    for item in &module.items {
        print_item(out, item);
    }
    out.push_str("endmodule\n");
}

/// `module name (` or, with parameters, `module name #(` … `) (`.
fn print_header(out: &mut String, module: &Module) {
    if module.params.is_empty() {
        let _ = writeln!(out, "module {} (", module.name.0);
        return;
    }
    let _ = writeln!(out, "module {} #(", module.name.0);
    for (i, p) in module.params.iter().enumerate() {
        let sep = if i + 1 < module.params.len() { "," } else { "" };
        let mut line = format!(
            "{INDENT}parameter integer {} = {}{sep}",
            p.name.0, p.default
        );
        if let Some(c) = &p.comment {
            let _ = write!(line, " // {c}");
        }
        let _ = writeln!(out, "{line}");
    }
    out.push_str(") (\n");
}

fn print_item(out: &mut String, item: &Item) {
    match item {
        Item::Comment(lines) => lines.iter().for_each(|l| comment_line(out, INDENT, l)),
        Item::Blank => out.push('\n'),
        Item::LocalParam { name, value } => {
            let _ = writeln!(out, "{INDENT}localparam integer {} = {value};", name.0);
        }
        Item::Decl {
            kind,
            signed,
            width,
            name,
            comment,
        } => {
            let kind = match kind {
                NetKind::Wire => "wire",
                NetKind::Reg => "reg",
            };
            let mut line = format!("{INDENT}{kind}");
            if *signed {
                line.push_str(" signed");
            }
            if let Width::Vector(_) = width {
                let _ = write!(line, " {}", range(*width));
            }
            let _ = write!(line, " {};", name.0);
            if let Some(c) = comment {
                let _ = write!(line, " // {c}");
            }
            let _ = writeln!(out, "{line}");
        }
        Item::Memory {
            width,
            depth,
            name,
            comment,
            no_rw_check,
        } => {
            let attr = if *no_rw_check {
                "(* no_rw_check *) "
            } else {
                ""
            };
            let mut line = format!(
                "{INDENT}{attr}reg [{}:0] {} [0:{}];",
                width - 1,
                name.0,
                depth - 1
            );
            if let Some(c) = comment {
                let _ = write!(line, " // {c}");
            }
            let _ = writeln!(out, "{line}");
        }
        Item::ReadMemH { file, memory } => {
            let _ = writeln!(out, "{INDENT}initial $readmemh(\"{file}\", {});", memory.0);
        }
        Item::Assign { lhs, rhs } => {
            let _ = writeln!(out, "{INDENT}assign {} = {};", expr(lhs), expr(rhs));
        }
        Item::AlwaysPosedge { clock, body } => {
            let _ = writeln!(out, "{INDENT}always @(posedge {}) begin", clock.0);
            print_stmts(out, body, 2);
            let _ = writeln!(out, "{INDENT}end");
        }
        Item::Instance {
            module,
            name,
            params,
            ports,
        } => print_instance(out, module, name, params, ports),
    }
}

fn connections(list: &[(Ident, Expr)], indent: &str) -> String {
    let lines: Vec<String> = list
        .iter()
        .map(|(port, value)| format!("{indent}.{}({})", port.0, expr(value)))
        .collect();
    lines.join(",\n")
}

fn print_instance(
    out: &mut String,
    module: &Ident,
    name: &Ident,
    params: &[(Ident, Expr)],
    ports: &[(Ident, Expr)],
) {
    let inner = format!("{INDENT}{INDENT}");
    if params.is_empty() {
        let _ = writeln!(out, "{INDENT}{} {} (", module.0, name.0);
    } else {
        let _ = writeln!(out, "{INDENT}{} #(", module.0);
        let _ = writeln!(out, "{}", connections(params, &inner));
        let _ = writeln!(out, "{INDENT}) {} (", name.0);
    }
    let _ = writeln!(out, "{}", connections(ports, &inner));
    let _ = writeln!(out, "{INDENT});");
}

fn print_stmts(out: &mut String, stmts: &[Stmt], depth: usize) {
    let indent = INDENT.repeat(depth);
    for stmt in stmts {
        match stmt {
            Stmt::NonBlocking(lhs, rhs) => {
                let _ = writeln!(out, "{indent}{} <= {};", expr(lhs), expr(rhs));
            }
            Stmt::Blocking(lhs, rhs) => {
                let _ = writeln!(out, "{indent}{} = {};", expr(lhs), expr(rhs));
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => print_if(out, cond, then, otherwise, depth, false),
        }
    }
}

/// Prints statements on their own, `depth` levels deep (for files that are
/// `include`d into a procedural block).
pub fn print_statements(stmts: &[Stmt], depth: usize) -> String {
    let mut out = String::new();
    print_stmts(&mut out, stmts, depth);
    out
}

/// Prints an if/else chain; an `else` holding only another `if` becomes `else if`.
fn print_if(
    out: &mut String,
    cond: &Expr,
    then: &[Stmt],
    otherwise: &[Stmt],
    depth: usize,
    chained: bool,
) {
    let indent = INDENT.repeat(depth);
    let keyword = if chained { " else if" } else { "if" };
    let lead = if chained {
        String::new()
    } else {
        indent.clone()
    };
    let _ = writeln!(out, "{lead}{keyword} ({}) begin", expr(cond));
    print_stmts(out, then, depth + 1);
    let _ = write!(out, "{indent}end");
    match otherwise {
        [] => out.push('\n'),
        [Stmt::If {
            cond,
            then,
            otherwise,
        }] => print_if(out, cond, then, otherwise, depth, true),
        stmts => {
            out.push_str(" else begin\n");
            print_stmts(out, stmts, depth + 1);
            let _ = writeln!(out, "{indent}end");
        }
    }
}

/// An expression as text; operands that are themselves operations get parentheses.
pub fn expr(e: &Expr) -> String {
    match e {
        Expr::Ident(id) => id.0.clone(),
        Expr::Num(v) => v.to_string(),
        Expr::Int {
            width,
            signed,
            value,
        } => {
            let s = if *signed { "s" } else { "" };
            if *value < 0 {
                format!("-{width}'{s}d{}", value.unsigned_abs())
            } else {
                format!("{width}'{s}d{value}")
            }
        }
        Expr::Hex { width, hex } => format!("{width}'h{hex}"),
        Expr::Index(base, i) => format!("{}[{i}]", operand(base)),
        Expr::Select(base, index) => format!("{}[{}]", operand(base), expr(index)),
        Expr::PartSelect {
            base,
            offset,
            width,
        } => format!("{}[{} +: {width}]", operand(base), expr(offset)),
        Expr::Concat(parts) => {
            let parts: Vec<String> = parts.iter().map(expr).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Expr::Repeat(count, inner) => format!("{{{count}{{{}}}}}", expr(inner)),
        Expr::Unary(op, inner) => {
            let sym = match op {
                UnaryOp::Not => "~",
                UnaryOp::LogicNot => "!",
                UnaryOp::Neg => "-",
                UnaryOp::ReduceXor => "^",
            };
            format!("{sym}{}", operand(inner))
        }
        Expr::Binary(op, a, b) => {
            let sym = match op {
                BinaryOp::Add => "+",
                BinaryOp::Sub => "-",
                BinaryOp::And => "&",
                BinaryOp::Or => "|",
                BinaryOp::LogicAnd => "&&",
                BinaryOp::LogicOr => "||",
                BinaryOp::Eq => "==",
                BinaryOp::Ne => "!=",
                BinaryOp::Lt => "<",
                BinaryOp::Gt => ">",
                BinaryOp::Shr => ">>",
            };
            format!("{} {sym} {}", operand(a), operand(b))
        }
        Expr::Ternary(c, a, b) => format!("{} ? {} : {}", operand(c), operand(a), operand(b)),
    }
}

fn operand(e: &Expr) -> String {
    match e {
        Expr::Binary(..) | Expr::Ternary(..) | Expr::Unary(..) => format!("({})", expr(e)),
        Expr::Int { value, .. } | Expr::Num(value) if *value < 0 => format!("({})", expr(e)),
        _ => expr(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_a_small_module() {
        let a = Ident::new("a");
        let q = Ident::new("q");
        let module = Module {
            name: Ident::new("m"),
            doc: vec!["A test.".into()],
            params: vec![],
            ports: vec![
                Port {
                    dir: Dir::Input,
                    kind: NetKind::Wire,
                    signed: false,
                    width: Width::Scalar,
                    name: Ident::new("clk"),
                    comment: None,
                },
                Port {
                    dir: Dir::Input,
                    kind: NetKind::Wire,
                    signed: false,
                    width: Width::Vector(4),
                    name: a.clone(),
                    comment: Some("data".into()),
                },
                Port {
                    dir: Dir::Output,
                    kind: NetKind::Reg,
                    signed: true,
                    width: Width::Vector(5),
                    name: q.clone(),
                    comment: None,
                },
            ],
            items: vec![
                Item::LocalParam {
                    name: Ident::new("N"),
                    value: 4,
                },
                Item::AlwaysPosedge {
                    clock: Ident::new("clk"),
                    body: vec![Stmt::If {
                        cond: Expr::id(&a).bit(0).and(Expr::id(&a).bit(1).logic_not()),
                        then: vec![Stmt::NonBlocking(Expr::id(&q), Expr::sint(5, -3))],
                        otherwise: vec![Stmt::If {
                            cond: Expr::id(&a).eq(Expr::uint(4, 2)),
                            then: vec![Stmt::NonBlocking(
                                Expr::id(&q),
                                Expr::id(&q).binary(BinaryOp::Add, Expr::sint(5, -1)),
                            )],
                            otherwise: vec![Stmt::NonBlocking(Expr::id(&q), Expr::sint(5, 0))],
                        }],
                    }],
                },
            ],
        };
        let text = print_file(&File {
            header: vec!["header".into()],
            modules: vec![module],
        });
        let expected = "// header

`default_nettype none

// A test.
module m (
    input  wire              clk,
    input  wire        [3:0] a,   // data
    output reg  signed [4:0] q
);
    localparam integer N = 4;
    always @(posedge clk) begin
        if (a[0] && (!a[1])) begin
            q <= -5'sd3;
        end else if (a == 4'd2) begin
            q <= q + (-5'sd1);
        end else begin
            q <= 5'sd0;
        end
    end
endmodule

`default_nettype wire
";
        assert_eq!(text, expected);
    }
}
