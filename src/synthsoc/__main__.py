from synthsoc.cli import app

app(prog_name="synthsoc")
