// A method guard mounted before cors answers the preflight with 405.
const express = require('express');
const cors = require('cors');

const app = express();

app.use('/api/orders', (req, res, next) => {
  if (!['GET', 'POST', 'PUT'].includes(req.method)) {
    return res.status(405).set('Allow', 'GET, POST, PUT').end(); // expect: CORS102
  }
  next();
});
app.use(cors({ origin: 'https://shop.example.com', allowedHeaders: ['Content-Type'] }));

app.get('/api/orders', (req, res) => res.json([]));
app.put('/api/orders', (req, res) => res.sendStatus(204));

app.listen(3000);
