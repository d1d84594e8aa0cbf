// Express 4 app that copied the Express 5 catch-all: '/{*splat}' is a literal path here.
const express = require('express');
const cors = require('cors');

const app = express();
const corsOptions = { origin: ['https://app.example.com', 'https://admin.example.com'] };

app.options('/{*splat}', cors(corsOptions));

app.get('/api/orders/:id', cors(corsOptions), (req, res) => res.json({}));
app.delete('/api/orders/:id', cors(corsOptions), (req, res) => res.sendStatus(204)); // expect: CORS101

app.listen(3000);
