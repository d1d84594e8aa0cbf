__version__ = "0.1.0"
#: where corslint is developed: the rule pages, the project's links
REPOSITORY = "https://github.com/corslint/corslint"
